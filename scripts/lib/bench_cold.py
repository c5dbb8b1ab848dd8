"""sendfile on the event loop against a cold disk: does one download whose pages are not in the
page cache hold up the other connections of the same loop?

Wharf runs pinned to core 0 (so one event loop); a 1 GiB file is hashed once (so the fast path
sends it), then `/healthz` is measured with wrk (-t1 -c8, core 1) twice: alone, and while the
file is downloaded again and again with the page cache dropped before each download (root only:
/proc/sys/vm/drop_caches). The p99 of `/healthz` in both, and the downloads' MB/s, are reported.
"""

import os
import re
import subprocess
import threading
import time

import wharf_auth
from bench_static import wait_for


def healthz(port, seconds):
    out = subprocess.run(["taskset", "-c", "1", "wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", f"http://127.0.0.1:{port}/healthz"],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), re.search(r"99%\s+([\d.]+\w+)", out).group(1)


def run(wharf_binary, work, seconds=10):
    root = os.path.join(work, "cold-site")
    os.makedirs(root)
    with open(os.path.join(root, "cold.bin"), "wb") as out:
        for _ in range(1024):
            out.write(os.urandom(1 << 20))
    port = 18097
    process = subprocess.Popen(["taskset", "-c", "0", wharf_binary, "serve", "--port", str(port), "--static", root, "--storage",
                                os.path.join(work, "cold-storage"), "--log-level", "warning", "--scrub-interval", "off"],
                               env={**os.environ, **wharf_auth.ENV}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        for _ in range(2):
            subprocess.run(["curl", "-s", "-I", "-o", "/dev/null", f"http://127.0.0.1:{port}/cold.bin"], check=True)
        alone = healthz(port, seconds)
        speeds = []
        stop = threading.Event()

        def download_cold():
            while not stop.is_set():
                subprocess.run(["sync"], check=True)
                with open("/proc/sys/vm/drop_caches", "w") as caches:
                    caches.write("3\n")
                out = subprocess.run(["taskset", "-c", "1", "curl", "-sS", "-o", "/dev/null", "-w", "%{speed_download}",
                                      f"http://127.0.0.1:{port}/cold.bin"], capture_output=True, text=True, check=True).stdout
                speeds.append(float(out) / 1e6)

        downloader = threading.Thread(target=download_cold)
        downloader.start()
        time.sleep(0.5)
        during = healthz(port, seconds)
        stop.set()
        downloader.join()
        return alone, during, speeds
    finally:
        process.terminate()
        process.wait(timeout=15)
