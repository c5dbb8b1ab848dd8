"""Uploads a file to Wharf's tus endpoint with tuspy, the tus project's Python client.

Usage: tus_upload.py URL TOKEN FILE CHUNK_BYTES URL_STORE [STOP_AFTER_CHUNKS]

The upload's URL is kept in URL_STORE (tuspy's own file storage, keyed by the file's
fingerprint), so a second run resumes where the first stopped. With STOP_AFTER_CHUNKS the run
sends that many chunks and exits; otherwise it finishes. Prints the offset, the
Wharf-File-URL of the finished file (an empty line while there is none) and the upload's URL.
"""

import os
import sys

from tusclient import client
from tusclient.storage import filestorage


def main() -> None:
    url, token, path, chunk, store = sys.argv[1:6]
    stop_after = int(sys.argv[6]) if len(sys.argv) > 6 else None
    tus = client.TusClient(url, headers={"Authorization": "Bearer " + token})
    uploader = tus.uploader(
        path,
        chunk_size=int(chunk),
        metadata={"filename": os.path.basename(path), "filetype": "application/octet-stream"},
        store_url=True,
        url_storage=filestorage.FileStorage(store),
    )
    if stop_after is not None:
        for _ in range(stop_after):
            uploader.upload_chunk()
    else:
        uploader.upload()
    print(uploader.offset)
    print(uploader.request.response_headers.get("wharf-file-url", "") if uploader.request else "")
    print(uploader.url)


if __name__ == "__main__":
    main()
