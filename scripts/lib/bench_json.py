"""The JSON routes: a listing of 1,000 records and a single record, Wharf against a baseline build.

Both servers open copies of one storage root holding the same 1,000 records; each is pinned to
core 0 and measured with wrk -t1 -c32 on core 1, one after the other in the same run.
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


def run(wharf_binary, baseline_binary, work, seconds=10):
    storage = os.path.join(work, "json-storage")
    record, token = fill(wharf_binary, storage, 18095)
    servers = [("Wharf", wharf_binary)] + ([("baseline", baseline_binary)] if baseline_binary else [])
    rows = []
    for name, binary in servers:
        copy = os.path.join(work, f"json-{name}")
        shutil.copytree(storage, copy)
        process = subprocess.Popen(["taskset", "-c", "0", binary, "serve", "--port", "18096", "--storage", copy, "--static", copy,
                                    "--log-level", "warning"], env={**os.environ, **wharf_auth.ENV},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                if subprocess.run(["curl", "-s", "-o", "/dev/null", "http://127.0.0.1:18096/healthz"]).returncode == 0:
                    break
                time.sleep(0.1)
            # The copies keep the storage root's token key, so one token serves both builds (a build
            # from before sign-in ignores it).
            auth = [token]
            listing, listing_p99 = wrk(18096, "/api/files?limit=1000", seconds, extra_headers=auth)
            # The listings wrk left in flight (32 of about 30 ms each) are answered before the next
            # series, whose p99 they would otherwise hold up by a second.
            time.sleep(2)
            single, single_p99 = wrk(18096, f"/api/files/{record}", seconds, extra_headers=auth)
            rows.append((name, listing, listing_p99, single, single_p99))
        finally:
            process.terminate()
            process.wait(timeout=15)
    return rows
