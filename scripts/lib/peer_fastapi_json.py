"""FastAPI on uvicorn serving Wharf's JSON routes from a copy of Wharf's own catalog, for scripts/bench.

`GET /api/files?limit=N` (newest first, as Wharf's default sort) and `GET /api/files/{id}` read the
same rows with the same SQL as Wharf (the files joined with what the last scrub found) and answer
them as pydantic models with Wharf's fields, through FastAPI's `response_model`. The benchmark's
files are text, so every record's thumbnails are `none` here as there; the next page's cursor is
an opaque string built from the last row. There is no sign-in: Wharf checks a bearer token and
reads its user on every request besides, so this peer does less work than Wharf.
"""

import base64
import datetime
import json
import os
import sqlite3
import threading

from fastapi import FastAPI, HTTPException, Query
from pydantic import BaseModel

CATALOG = os.environ["WHARF_PEER_CATALOG"]
SELECT = """
    SELECT files.*, blob_integrity.status AS integrity_status, blob_integrity.verified_at AS integrity_verified_at
    FROM files LEFT JOIN blob_integrity ON blob_integrity.sha256 = files.sha256
"""
INTEGRITY = {"intact": "ok", "corrupt": "corrupt", "missing": "missing", None: "unverified"}
app = FastAPI()
connections = threading.local()


class Thumbnails(BaseModel):
    status: str
    sizes: dict[str, str]


class FileRecord(BaseModel):
    id: str
    owner: str
    name: str
    size: int
    content_type: str
    declared_content_type: str | None
    sha256: str
    description: str
    tags: list[str]
    created_at: str
    updated_at: str
    download_url: str
    integrity: str
    verified_at: str | None
    thumbnails: Thumbnails


class FilePage(BaseModel):
    items: list[FileRecord]
    next_cursor: str | None


def _database() -> sqlite3.Connection:
    """One read-only connection per worker thread, as Wharf keeps one per reader."""
    if not hasattr(connections, "database"):
        connections.database = sqlite3.connect(f"file:{CATALOG}?mode=ro", uri=True)
        connections.database.row_factory = sqlite3.Row
    return connections.database


def _time(microseconds: int | None) -> str | None:
    if microseconds is None:
        return None
    moment = datetime.datetime.fromtimestamp(microseconds // 1_000_000, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{microseconds % 1_000_000:06d}Z"


def _record(row: sqlite3.Row) -> FileRecord:
    return FileRecord(
        id=row["id"],
        owner=row["owner"],
        name=row["name"],
        size=row["size"],
        content_type=row["content_type"],
        declared_content_type=row["declared_content_type"],
        sha256=row["sha256"],
        description=row["description"],
        tags=json.loads(row["tags"]),
        created_at=_time(row["created_at"]),
        updated_at=_time(row["updated_at"]),
        download_url=f"/api/files/{row['id']}/download",
        integrity=INTEGRITY[row["integrity_status"]],
        verified_at=_time(row["integrity_verified_at"]),
        thumbnails=Thumbnails(status="none", sizes={}),
    )


@app.get("/api/files", response_model=FilePage)
def list_files(limit: int = Query(50, ge=1, le=1000)):
    rows = _database().execute(SELECT + " ORDER BY files.created_at DESC, files.id DESC LIMIT ?", (limit + 1,)).fetchall()
    cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        cursor = base64.urlsafe_b64encode(json.dumps({"k": last["created_at"], "i": last["id"]}).encode()).decode().rstrip("=")
    return FilePage(items=[_record(row) for row in rows], next_cursor=cursor)


@app.get("/api/files/{file_id}", response_model=FileRecord)
def read_file(file_id: str):
    row = _database().execute(SELECT + " WHERE files.id = ?", (file_id,)).fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="File not found.")
    return _record(row)
