"""Thumbnails: 24-megapixel JPEGs through Wharf's job queue against vipsthumbnail on the same files.

Both sides make one 256-pixel WebP per image on both cores: Wharf with `--workers 2` (its default on
this machine), vipsthumbnail as two processes of half the files each (xargs -P 2, so that its start-up
is paid twice, not per file). The files are uploaded once; before each
repetition Wharf's thumbnails are removed and its jobs queued again, and the server is started:
its time runs from the start of the process (start-up included) until every job is done. Its peak
resident memory (VmHWM) is read before it stops. Median of the repetitions, one run.
"""

import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import time
import urllib.request

import wharf_auth

COUNT = 12


def make_images(directory):
    paths = []
    noise = os.path.join(directory, "noise.v")
    subprocess.run(["vips", "gaussnoise", noise, "6000", "4000", "--sigma", "40"], check=True)
    for index in range(COUNT):
        path = os.path.join(directory, f"photo-{index:02d}.jpg")
        # Each file its own bytes (a different crop), so that deduplication does not join them.
        subprocess.run(["vips", "embed", noise, path + "[Q=90]", str(index), "0", "6000", "4000", "--extend", "mirror"], check=True)
        paths.append(path)
    os.remove(noise)
    return paths


def start(wharf_binary, storage, port):
    return subprocess.Popen(
        ["taskset", "-c", "0,1", wharf_binary, "serve", "--port", str(port), "--storage", storage, "--static", storage,
         "--no-fsync", "--log-level", "warning", "--workers", "2", "--thumbnail-sizes", "256", "--scrub-interval", "off"],
        env={**os.environ, **wharf_auth.ENV}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def done_jobs(storage):
    with sqlite3.connect(os.path.join(storage, "wharf.sqlite")) as database:
        return database.execute("SELECT COUNT(*) FROM jobs WHERE kind = 'thumbnail' AND status = 'done'").fetchone()[0]


def wait_until(condition, deadline=600.0):
    end = time.time() + deadline
    while time.time() < end:
        if condition():
            return
        time.sleep(0.02)
    raise SystemExit("timed out")


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run(wharf_binary, work, repetitions):
    images = os.path.join(work, "images")
    os.makedirs(images)
    paths = make_images(images)
    megapixels = 24

    vips_times = []
    for _ in range(repetitions):
        out = os.path.join(work, "vipsthumbnail-out")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        begin = time.time()
        subprocess.run(["taskset", "-c", "0,1", "xargs", "-P", "2", "-n", str(COUNT // 2), "vipsthumbnail", "-s", "256", "-o", out + "/%s.webp[Q=80,strip]"],
                       input="\n".join(paths), text=True, check=True)
        vips_times.append(time.time() - begin)

    storage = os.path.join(work, "thumbnail-storage")
    # The storage root doubles as the static site, which the server wants to exist.
    os.makedirs(storage)
    port = 18097
    server = start(wharf_binary, storage, port)
    try:
        wait_until(lambda: subprocess.run(["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{port}/healthz"]).returncode == 0, 30)
        auth = wharf_auth.header(port)
        for path in paths:
            subprocess.run(["curl", "-sS", "-o", "/dev/null", "-H", auth, "-T", path,
                            f"http://127.0.0.1:{port}/api/files?name={os.path.basename(path)}"], check=True)
        wait_until(lambda: done_jobs(storage) == COUNT)
    finally:
        server.terminate()
        server.wait(timeout=30)

    wharf_times, peaks = [], []
    for _ in range(repetitions):
        shutil.rmtree(os.path.join(storage, "renditions"), ignore_errors=True)
        with sqlite3.connect(os.path.join(storage, "wharf.sqlite")) as database:
            database.execute("UPDATE jobs SET status = 'queued', attempts = 0, run_after = 0 WHERE kind = 'thumbnail'")
        begin = time.time()
        server = start(wharf_binary, storage, port)
        try:
            wait_until(lambda: done_jobs(storage) == COUNT)
            wharf_times.append(time.time() - begin)
            peaks.append(peak_rss_mib(server.pid))
        finally:
            server.terminate()
            server.wait(timeout=30)
    made = [name for name in os.listdir(os.path.join(storage, "renditions")) if name]
    if not made:
        raise SystemExit("Wharf made no thumbnails")
    return [
        ("vipsthumbnail 8.14 (2 processes)", COUNT / statistics.median(vips_times), None, vips_times),
        ("Wharf (--workers 2)", COUNT / statistics.median(wharf_times), max(peaks), wharf_times),
    ], megapixels
