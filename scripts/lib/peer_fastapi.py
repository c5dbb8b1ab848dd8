"""FastAPI on uvicorn doing the same work as Wharf, for scripts/bench.

Each upload is read in 1 MiB chunks (the pieces `request.stream()` yields gathered into 1 MiB),
every chunk hashed with hashlib.sha256 and written to a
file in the storage directory given by WHARF_PEER_STORAGE; nothing is synced (Wharf runs with
--no-fsync in the benchmark too).
"""

import hashlib
import os
import uuid

from fastapi import FastAPI, Request, UploadFile

STORAGE = os.environ["WHARF_PEER_STORAGE"]
CHUNK = 1 << 20
app = FastAPI()


def _new_path() -> str:
    return os.path.join(STORAGE, uuid.uuid4().hex)


@app.post("/raw")
async def raw(request: Request, name: str):
    digest = hashlib.sha256()
    size = 0
    path = _new_path()
    pending = bytearray()
    with open(path, "wb") as out:
        async for chunk in request.stream():
            pending += chunk
            if len(pending) >= CHUNK:
                digest.update(pending)
                out.write(pending)
                size += len(pending)
                pending.clear()
        digest.update(pending)
        out.write(pending)
        size += len(pending)
    return {"name": name, "size": size, "sha256": digest.hexdigest()}


@app.post("/multipart")
async def multipart(file: UploadFile):
    digest = hashlib.sha256()
    size = 0
    path = _new_path()
    with open(path, "wb") as out:
        while chunk := await file.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return {"name": file.filename, "size": size, "sha256": digest.hexdigest()}


if os.environ.get("WHARF_PEER_STATIC"):
    from starlette.staticfiles import StaticFiles

    app.mount("/", StaticFiles(directory=os.environ["WHARF_PEER_STATIC"], html=True), name="static")
