"""Resumable uploads: 256 MiB through tuspy in 8 MiB chunks, against the same file as one raw
streamed upload to Wharf, and against resumable-upload (a tus server from PyPI doing its own
work) with the same client and chunks. Every server on core 0, the clients on core 1; median of
the repetitions, one run. Beside them, the same client against a tus endpoint that keeps nothing
(`bench_tus_sink.py`): about the most tuspy reaches here, whoever serves it.

Each upload is written over the pages of the one before it, deleted just before (Wharf's file
through its API, the peer's upload by tus termination), after one round that is not counted: on
this VM the first write to pages it has handed back to its host costs several times a write to
pages just freed, and which upload met such pages would otherwise decide the result."""

import json
import os
import statistics
import subprocess
import urllib.request

import wharf_auth

SIZE = 256 << 20
CHUNK = 8 << 20


def tuspy(python, url, token, path):
    """MB/s, and the upload's URL."""
    out = subprocess.run(
        ["taskset", "-c", "1", python, os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_tus_client.py"), url, token, path, str(CHUNK)],
        capture_output=True, text=True, check=True,
    )
    seconds, upload = out.stdout.split()
    return SIZE / float(seconds) / 1e6, upload


def terminate(upload):
    """Ends a finished upload on the peer (tus termination), which removes its bytes."""
    urllib.request.urlopen(urllib.request.Request(upload, method="DELETE", headers={"Tus-Resumable": "1.0.0"}))


def raw(url, auth, path):
    out = subprocess.run(
        ["taskset", "-c", "1", "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-H", auth, "-T", path, url],
        capture_output=True, text=True, check=True,
    )
    status, seconds = out.stdout.split()
    if status != "201":
        raise SystemExit(f"raw upload answered {status}")
    return SIZE / float(seconds) / 1e6


def run(wharf_binary, python, work, repetitions, server_class, wait_until_up):
    source = os.path.join(work, "tus.bin")
    with open(source, "wb") as out:
        for _ in range(SIZE >> 20):
            out.write(os.urandom(1 << 20))

    storage = os.path.join(work, "wharf-tus")
    wharf = server_class(
        "Wharf",
        ["taskset", "-c", "0", wharf_binary, "serve", "--port", "18084", "--storage", storage, "--static", work, "--no-fsync",
         "--log-level", "warning"],
        18084,
        env=wharf_auth.ENV,
    )
    auth = wharf_auth.header(18084)
    token = auth.split(" ")[-1]
    headers = wharf_auth.headers(18084)

    def clean():
        listing = json.load(urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:18084/api/files?limit=1000", headers=headers)))
        for item in listing["items"]:
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:18084/api/files/{item['id']}", method="DELETE", headers=headers))

    peer_directory = os.path.join(work, "peer-tus")
    os.makedirs(peer_directory)
    peer = server_class(
        "resumable-upload",
        ["taskset", "-c", "0", os.path.join(os.path.dirname(python), "resumable-upload"), "serve", "--host", "127.0.0.1", "--port", "18085",
         "--upload-dir", os.path.join(peer_directory, "files"), "--db-path", os.path.join(peer_directory, "uploads.db"),
         "--log-level", "WARNING"],
        18085,
        health="/files",
    )

    sink = server_class(
        "tus sink",
        ["taskset", "-c", "0", python, os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_tus_sink.py"), "18086"],
        18086,
        health="/",
    )

    speeds = {"tus": [], "raw": [], "peer": [], "sink": []}
    peer_upload = None
    try:
        for counted in [False] + [True] * repetitions:
            clean()
            tus, _ = tuspy(python, "http://127.0.0.1:18084/api/uploads/", token, source)
            clean()
            stream = raw("http://127.0.0.1:18084/api/files?name=upload.bin", auth, source)
            if peer_upload:
                terminate(peer_upload)
            other, peer_upload = tuspy(python, "http://127.0.0.1:18085/files/", "", source)
            ceiling, _ = tuspy(python, "http://127.0.0.1:18086/files/", "", source)
            if counted:
                speeds["tus"].append(tus)
                speeds["raw"].append(stream)
                speeds["peer"].append(other)
                speeds["sink"].append(ceiling)
    finally:
        wharf.stop()
        peer.stop()
        sink.stop()
    return speeds
