"""Wharf's benchmark: builds nothing, starts the servers it is given, prints one table.

Upload figures follow ../shared/design/FINDINGS.md: 1 GiB of random data over loopback with
curl, the previous upload deleted and `sync` run before every repetition, 5 repetitions, the
median reported; the server's peak RSS growth is sampled from /proc every 5 ms.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request


def wait_until_up(url, deadline=30.0):
    start = time.time()
    while time.time() - start < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"server at {url} did not start")


class RSSSampler:
    """Samples a process's resident memory until stopped; reports the peak."""

    def __init__(self, pid):
        self.pid = pid
        self.peak = 0
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)

    @staticmethod
    def rss_kib(pid):
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def run(self):
        while self.running:
            self.peak = max(self.peak, self.rss_kib(self.pid))
            time.sleep(0.005)

    def __enter__(self):
        self.baseline = self.rss_kib(self.pid)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()

    @property
    def growth_mib(self):
        return max(0, self.peak - self.baseline) / 1024


class Server:
    def __init__(self, name, command, port, env=None, health="/healthz"):
        self.name = name
        self.port = port
        self.process = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_up(f"http://127.0.0.1:{port}{health}")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def curl_upload(url, path, extra):
    out = subprocess.run(
        ["curl", "-sS", "-o", "/dev/stdout", "-w", "\n%{http_code} %{time_total}", "-X", "POST", *extra, "-T", path, url],
        capture_output=True,
        text=True,
        check=True,
    )
    body, _, tail = out.stdout.rpartition("\n")
    status, seconds = tail.split()
    if status not in ("200", "201"):
        raise SystemExit(f"upload to {url} answered {status}: {body[:200]}")
    return json.loads(body), float(seconds)


def measure_uploads(server, url, path, extra, clean, repetitions):
    size = os.path.getsize(path)
    speeds, growths = [], []
    for _ in range(repetitions):
        clean()
        subprocess.run(["sync"], check=True)
        with RSSSampler(server.process.pid) as rss:
            record, seconds = curl_upload(url, path, extra)
        speeds.append(size / seconds / 1e6)
        growths.append(rss.growth_mib)
        clean.last = record
    return statistics.median(speeds), max(growths), speeds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wharf", required=True)
    parser.add_argument("--venv-python", required=True)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="wharf-bench-")
    rows = []
    try:
        source = os.path.join(work, "upload.bin")
        with open(source, "wb") as out:
            for _ in range(args.size_mib):
                out.write(os.urandom(1 << 20))

        wharf_storage = os.path.join(work, "wharf")
        wharf = Server(
            "Wharf",
            [args.wharf, "serve", "--port", "18081", "--storage", wharf_storage, "--static", work, "--no-fsync",
             "--log-level", "warning", "--max-upload-size", "8GiB"],
            18081,
        )

        def clean_wharf():
            record = getattr(clean_wharf, "last", None)
            if record:
                request = urllib.request.Request(f"http://127.0.0.1:18081/api/files/{record['id']}", method="DELETE")
                urllib.request.urlopen(request)
                clean_wharf.last = None

        peer_storage = os.path.join(work, "fastapi")
        os.makedirs(peer_storage)
        fastapi = Server(
            "FastAPI",
            [args.venv_python, "-m", "uvicorn", "peer_fastapi:app", "--port", "18082", "--log-level", "warning",
             "--app-dir", os.path.dirname(os.path.abspath(__file__))],
            18082,
            env={"WHARF_PEER_STORAGE": peer_storage},
            health="/docs",
        )

        def clean_peer():
            shutil.rmtree(peer_storage)
            os.makedirs(peer_storage)

        cases = [
            ("raw upload, Content-Length", []),
            ("raw upload, chunked", ["-H", "Transfer-Encoding: chunked"]),
        ]
        for label, extra in cases:
            for server, url, clean in (
                (wharf, "http://127.0.0.1:18081/api/files?name=upload.bin", clean_wharf),
                (fastapi, "http://127.0.0.1:18082/raw?name=upload.bin", clean_peer),
            ):
                median, growth, all_speeds = measure_uploads(server, url, source, extra, clean, args.repetitions)
                rows.append((f"{args.size_mib} MiB {label}", server.name, f"{median:,.0f} MB/s", f"{growth:.1f} MiB",
                             " ".join(f"{s:.0f}" for s in all_speeds)))
            clean_wharf()
        wharf.stop()
        fastapi.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"Wharf benchmark, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, median of {args.repetitions}")
    print()
    print("| workload | server | median | peak RSS growth | all runs (MB/s) |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    sys.exit(main())
