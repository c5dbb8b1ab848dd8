"""One tus upload with tuspy, timed from the creation request to the last chunk's answer.

Usage: bench_tus_client.py URL TOKEN FILE CHUNK_BYTES — prints the seconds it took and the
upload's URL."""

import sys
import time

from tusclient import client


def main() -> None:
    url, token, path, chunk = sys.argv[1:5]
    tus = client.TusClient(url, headers={"Authorization": "Bearer " + token})
    begin = time.perf_counter()
    uploader = tus.uploader(path, chunk_size=int(chunk), metadata={"filename": "upload.bin"})
    uploader.upload()
    print(time.perf_counter() - begin, uploader.url)


if __name__ == "__main__":
    main()
