"""The JSON routes: a listing of 1,000 records and a single record, Wharf against FastAPI and,
when given, a baseline build.

Every server opens a copy of one storage root holding the same 1,000 records (FastAPI its
catalog, see peer_fastapi_json.py); each is pinned to core 0 and measured with wrk -t1 -c32 on
core 1, one after the other in the same run.
"""

import json
import os
import shutil
import subprocess
import time
import urllib.request

import wharf_auth
from bench_static import wrk


def fill(wharf_binary, storage, port):
    """Starts Wharf on `storage`, uploads 1,000 small files, stops it; returns one record's id and
    an Authorization header that signs in to that storage."""
    process = subprocess.Popen([wharf_binary, "serve", "--port", str(port), "--storage", storage, "--static", storage,
                                "--no-fsync", "--log-level", "warning"], env={**os.environ, **wharf_auth.ENV},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if subprocess.run(["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{port}/healthz"]).returncode == 0:
                break
            time.sleep(0.1)
        auth = wharf_auth.headers(port)
        for index in range(1000):
            body = (f"file number {index} " * 5).encode()
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/files?name=file-{index:04d}.txt&description=bench&tags=a,b",
                                             data=body, method="POST", headers={"Content-Type": "text/plain", **auth})
            urllib.request.urlopen(request).read()
        listing = json.load(urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/api/files?limit=1", headers=auth)))
        return listing["items"][0]["id"], wharf_auth.header(port)
    finally:
        process.terminate()
        process.wait(timeout=15)


def run(wharf_binary, baseline_binary, venv_python, work, seconds=10):
    storage = os.path.join(work, "json-storage")
    # It is also the (empty) static site, which must exist when the server starts.
    os.makedirs(storage, exist_ok=True)
    record, token = fill(wharf_binary, storage, 18095)
    servers = [("Wharf", wharf_binary)] + ([("baseline", baseline_binary)] if baseline_binary else []) + [("FastAPI", None)]
    rows = []
    for name, binary in servers:
        copy = os.path.join(work, f"json-{name}")
        shutil.copytree(storage, copy)
        if binary:
            command = [binary, "serve", "--port", "18096", "--storage", copy, "--static", copy, "--log-level", "warning"]
            env = {**os.environ, **wharf_auth.ENV}
        else:
            command = [venv_python, "-m", "uvicorn", "peer_fastapi_json:app", "--port", "18096", "--log-level", "warning",
                       "--app-dir", os.path.dirname(os.path.abspath(__file__))]
            env = {**os.environ, "WHARF_PEER_CATALOG": os.path.join(copy, "wharf.sqlite")}
        process = subprocess.Popen(["taskset", "-c", "0"] + command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                if subprocess.run(["curl", "-s", "-o", "/dev/null", "http://127.0.0.1:18096/api/files?limit=1"]).returncode == 0:
                    break
                time.sleep(0.1)
            # The copies keep the storage root's token key, so one token serves every build (a build
            # from before sign-in ignores it, and so does FastAPI).
            auth = [token]
            listing, listing_p99 = wrk(18096, "/api/files?limit=1000", seconds, extra_headers=auth)
            # The listings wrk left in flight (32, each up to 30 ms) are answered before the next
            # series, whose p99 they would otherwise hold up by a second.
            time.sleep(2)
            single, single_p99 = wrk(18096, f"/api/files/{record}", seconds, extra_headers=auth)
            rows.append((name, listing, listing_p99, single, single_p99))
        finally:
            process.terminate()
            process.wait(timeout=15)
    return rows
