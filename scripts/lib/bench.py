"""Wharf's benchmark: builds nothing, starts the servers it is given, prints one table.

Upload figures follow ../shared/design/FINDINGS.md: 1 GiB of random data over loopback with
curl, one unmeasured warm-up upload per series, then the series run round-robin, the previous
upload deleted and `sync` run before every repetition, 5 repetitions, the median reported; the server's peak RSS growth is
sampled from /proc every 5 ms. Every server is pinned to core 0 and every curl to core 1, in the
serving half as in the upload half.
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

import wharf_auth


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
        self.process = subprocess.Popen(["taskset", "-c", "0", *command], env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_up(f"http://127.0.0.1:{port}{health}")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def curl_upload(url, path, extra, form=False, auth=()):
    send = [*auth, "-F", f"file=@{path}"] if form else [*auth, "-X", "POST", *extra, "-T", path]
    out = subprocess.run(
        ["taskset", "-c", "1", "curl", "-sS", "-o", "/dev/stdout", "-w", "\n%{http_code} %{time_total}", *send, url],
        capture_output=True,
        text=True,
        check=True,
    )
    body, _, tail = out.stdout.rpartition("\n")
    status, seconds = tail.split()
    if status not in ("200", "201"):
        raise SystemExit(f"upload to {url} answered {status}: {body[:200]}")
    return json.loads(body), float(seconds)


def concurrent_upload(url, paths, clean, pid, auth=()):
    """All files at once, one curl each: total MB/s over the wall time, and the server's peak RSS
    growth meanwhile."""
    total = sum(os.path.getsize(path) for path in paths)
    clean()
    subprocess.run(["sync"], check=True)
    sampler = RSSSampler(pid).__enter__()
    start = time.time()
    processes = [
        subprocess.Popen(["taskset", "-c", "1", "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", *auth, "-F", f"file=@{path}", url],
                         stdout=subprocess.PIPE, text=True)
        for path in paths
    ]
    statuses = [process.communicate()[0] for process in processes]
    elapsed = time.time() - start
    sampler.__exit__(None, None, None)
    if any(status not in ("200", "201") for status in statuses):
        raise SystemExit(f"concurrent uploads to {url} answered {sorted(set(statuses))}")
    return total / elapsed / 1e6, sampler.growth_mib


def measure_series(series, path, repetitions):
    """Runs every (label, server, url, extra, clean, auth) series round-robin: repetition r of each
    series runs before repetition r+1 of any, so the VM's memory noise spreads over all of them.
    `extra` is None for a form upload (curl -F). Returns {label+server: (speeds, RSS growths)}."""
    size = os.path.getsize(path)
    results = {(label, server.name): ([], []) for label, server, _, _, _, _ in series}
    for label, server, url, extra, clean, auth in series:
        # One unmeasured run each, so that no series pays alone for memory the VM has not yet used.
        clean()
        curl_upload(url, path, extra or [], extra is None, auth)
    for _ in range(repetitions):
        for label, server, url, extra, clean, auth in series:
            clean()
            subprocess.run(["sync"], check=True)
            with RSSSampler(server.process.pid) as rss:
                _, seconds = curl_upload(url, path, extra or [], extra is None, auth)
            speeds, growths = results[(label, server.name)]
            speeds.append(size / seconds / 1e6)
            growths.append(rss.growth_mib)
    return results


def fast_path_probe(probe, work):
    """Nanoseconds of CPU per 1 KiB static answer through Wharf's channel handlers, and through the
    codecs alone with one handler answering the same (FastPathProbe, in process, on core 0)."""
    site = os.path.join(work, "probe-site")
    os.makedirs(site, exist_ok=True)
    with open(os.path.join(site, "small.txt"), "wb") as out:
        out.write(os.urandom(512).hex().encode())
    wharf_ns, types_floor_ns, http1_floor_ns = subprocess.run(["taskset", "-c", "0", probe, site], capture_output=True, text=True, check=True).stdout.split()
    return int(wharf_ns), int(types_floor_ns), int(http1_floor_ns)


def check_executor(wharf, work):
    """Fails the benchmark when the build's Swift tasks would not run on its event loops (what
    `wharf serve` says on standard error when it cannot take the runtime's hook)."""
    storage = os.path.join(work, "executor-check")
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen([wharf, "serve", "--port", "18080", "--storage", storage, "--static", work], env={**os.environ, **wharf_auth.ENV},
                                   stdout=subprocess.DEVNULL, stderr=errors)
        try:
            wait_until_up("http://127.0.0.1:18080/healthz")
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=15)
        errors.seek(0)
        if b"not on the event loops" in errors.read():
            raise SystemExit(f"{wharf} runs its Swift tasks off the event loops: its measurements would not be Wharf's")
    shutil.rmtree(storage)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wharf", required=True)
    parser.add_argument("--venv-python", required=True)
    parser.add_argument("--harness", required=True)
    parser.add_argument("--hummingbird-peer", required=True)
    parser.add_argument("--fast-path-probe", required=True)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--only", choices=["uploads", "serving", "pipeline", "json", "thumbnails", "tus", "cold"], help="run one part of the benchmark")
    parser.add_argument("--baseline", help="another wharf binary (an earlier build) measured beside this one on the JSON routes")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="wharf-bench-")
    rows = []
    serving = []
    api = []
    json_routes = []
    thumbnails = []
    tus = {}
    cold = None
    pipeline = None
    try:
        check_executor(args.wharf, work)
        if args.only in (None, "pipeline"):
            pipeline = fast_path_probe(args.fast_path_probe, work)
        if args.only == "pipeline":
            raise StopIteration
        if args.only in (None, "cold"):
            import bench_cold

            cold = bench_cold.run(args.wharf, work)
        if args.only == "cold":
            raise StopIteration
        if args.only in (None, "tus"):
            import bench_tus

            tus = bench_tus.run(args.wharf, args.venv_python, work, min(args.repetitions, 3), Server, wait_until_up)
        if args.only == "tus":
            raise StopIteration
        if args.only in (None, "thumbnails"):
            import bench_thumbnails

            thumbnails, megapixels = bench_thumbnails.run(args.wharf, work, min(args.repetitions, 3))
        if args.only == "thumbnails":
            raise StopIteration
        if args.only in (None, "json"):
            import bench_json

            json_routes = bench_json.run(args.wharf, args.baseline, args.venv_python, work)
        if args.only == "json":
            raise StopIteration
        if args.only != "uploads":
            import bench_static

            serving, api = bench_static.run(args.wharf, args.hummingbird_peer, args.venv_python, work, min(args.repetitions, 3))
        if args.only == "serving":
            raise StopIteration
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
            env=wharf_auth.ENV,
        )
        # Wharf's uploads are signed in with a bearer token (FastAPI's peer checks none).
        wharf_header = wharf_auth.header(18081)
        wharf_headers = wharf_auth.headers(18081)

        def clean_wharf():
            # Every file stored so far, whatever shape the last answer had.
            listing = json.load(urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:18081/api/files?limit=1000", headers=wharf_headers)))
            for item in listing["items"]:
                request = urllib.request.Request(f"http://127.0.0.1:18081/api/files/{item['id']}", method="DELETE", headers=wharf_headers)
                urllib.request.urlopen(request)

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
            ("multipart upload (curl -F)", "/api/files", "/multipart", None),
            ("raw upload, Content-Length", "/api/files?name=upload.bin", "/raw?name=upload.bin", []),
            ("raw upload, chunked", "/api/files?name=upload.bin", "/raw?name=upload.bin", ["-H", "Transfer-Encoding: chunked"]),
        ]
        series = []
        for label, wharf_path, peer_path, extra in cases:
            series.append((label, wharf, "http://127.0.0.1:18081" + wharf_path, extra, clean_wharf, ["-H", wharf_header]))
            series.append((label, fastapi, "http://127.0.0.1:18082" + peer_path, extra, clean_peer, []))
        results = measure_series(series, source, args.repetitions)
        for (label, name), (speeds, growths) in results.items():
            rows.append((f"{args.size_mib} MiB {label}", name, f"{statistics.median(speeds):,.0f} MB/s", f"{max(growths):.1f} MiB",
                         " ".join(f"{s:.0f}" for s in speeds)))
        clean_wharf()
        clean_peer()

        small = []
        for index in range(32):
            path = os.path.join(work, f"small-{index}.bin")
            with open(path, "wb") as out:
                out.write(os.urandom(8 << 20))
            small.append(path)
        targets = [
            (wharf, "http://127.0.0.1:18081/api/files", clean_wharf, ["-H", wharf_header]),
            (fastapi, "http://127.0.0.1:18082/multipart", clean_peer, []),
        ]
        # The servers take turns, as the series above do, so that the VM's drift spreads over both.
        runs = {server.name: [] for server, *_ in targets}
        for _ in range(args.repetitions):
            for server, url, clean, auth in targets:
                runs[server.name].append(concurrent_upload(url, small, clean, server.process.pid, auth))
        for server, *_ in targets:
            speeds = [speed for speed, _ in runs[server.name]]
            growth = max(run_growth for _, run_growth in runs[server.name])
            rows.append(("32 concurrent 8 MiB multipart uploads", server.name, f"{statistics.median(speeds):,.0f} MB/s total",
                         f"{growth:.1f} MiB", " ".join(f"{s:.0f}" for s in speeds)))
        clean_wharf()
        wharf.stop()
        fastapi.stop()
    except StopIteration:
        pass
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if pipeline:
        wharf_ns, types_floor_ns, http1_floor_ns = pipeline
        print()
        print("A 1 KiB static answer in process (the channel handlers in an EmbeddedChannel, no socket; CPU time per request, "
              "median of 9 interleaved rounds of 100,000, core 0):")
        print()
        print("| handlers | µs per request |")
        print("|---|---|")
        print(f"| Wharf's: NIO's HTTP/1 codec, the connection's handlers and the fast path below Hummingbird's HTTPTypes codec | {wharf_ns / 1000:.2f} |")
        print(f"| NIO's HTTP/1 codec, the HTTPTypes codec and one handler answering the same head and bytes | {types_floor_ns / 1000:.2f} |")
        print(f"| NIO's HTTP/1 codec and one handler answering the same head and bytes | {http1_floor_ns / 1000:.2f} |")
    if args.only == "pipeline":
        return 0
    if cold:
        (alone_rate, alone_p99), (during_rate, during_p99), speeds = cold
        print()
        print("sendfile from a cold disk (Wharf on core 0, one event loop; wrk -t1 -c8 -d10s on /healthz, core 1):")
        print()
        print("| /healthz | req/s | p99 |")
        print("|---|---|---|")
        print(f"| alone | {alone_rate:,.0f} | {alone_p99} |")
        print(f"| while a 1 GiB file is downloaded cold, again and again | {during_rate:,.0f} | {during_p99} |")
        print()
        print(f"Cold downloads meanwhile: {len(speeds)}, MB/s {' '.join(f'{s:.0f}' for s in speeds)}")
    if args.only == "cold":
        return 0
    if tus:
        import bench_tus

        print()
        print(f"Resumable uploads ({bench_tus.SIZE >> 20} MiB, tuspy with {bench_tus.CHUNK >> 20} MiB chunks; servers on core 0, clients on core 1):")
        print()
        print("| server | path | MB/s (median) | all runs |")
        print("|---|---|---|---|")
        for name, key in (("Wharf", "tus"), ("Wharf", "raw"), ("resumable-upload 0.3.0", "peer"), ("a sink that keeps nothing", "sink")):
            path = "one raw streamed upload (curl -T)" if key == "raw" else "tus, tuspy"
            print(f"| {name} | {path} | {statistics.median(tus[key]):,.0f} | {' '.join(f'{s:.0f}' for s in tus[key])} |")
    if args.only == "tus":
        return 0
    if json_routes:
        print()
        print("JSON routes (server on core 0, wrk -t1 -c32 -d10s on core 1, 1,000 records stored):")
        print()
        print("| server | listing of 1,000 records req/s | p99 | one record req/s | p99 |")
        print("|---|---|---|---|---|")
        for name, listing, listing_p99, single, single_p99 in json_routes:
            print(f"| {name} | {listing:,.0f} | {listing_p99} | {single:,.0f} | {single_p99} |")
    if args.only == "json":
        return 0
    if thumbnails:
        print()
        print(f"Thumbnails ({bench_thumbnails.COUNT} JPEGs of {megapixels} megapixels, one 256-pixel WebP each, both cores):")
        print()
        print("| maker | thumbnails/s | peak RSS | all runs (s) |")
        print("|---|---|---|---|")
        for name, rate, peak, times in thumbnails:
            print(f"| {name} | {rate:.2f} | {'' if peak is None else f'{peak:.0f} MiB'} | {' '.join(f'{t:.2f}' for t in times)} |")
    if args.only == "thumbnails":
        return 0
    if serving:
        print()
        print("Serving (every server on core 0, wrk -t1 -c64 -d5s / h2load / curl on core 1, interleaved rounds, median of 3; the download of 5 per round):")
        print()
        print("| server | 1 KiB file req/s | p99 ms | 100 KiB JS as gzip req/s | 256 MiB download MB/s | random 64 KiB ranges req/s "
              "| HTTPS HTTP/2 1 KiB req/s |")
        print("|---|---|---|---|---|---|---|")
        for name, small, p99, gzip_rate, download, ranges, h2 in serving:
            h2_text = "–" if h2 is None else f"{h2:,.0f}"
            print(f"| {name} | {small:,.0f} | {p99:.2f} | {gzip_rate:,.0f} | {download:,.0f} | {ranges:,.0f} | {h2_text} |")
        by_name = {row[0]: row for row in serving}
        wharf, nginx, caddy = by_name["Wharf"], by_name["nginx"], by_name["Caddy"]
        print()
        print(f"Wharf / nginx: 1 KiB {wharf[1] / nginx[1]:.2f}×, gzip {wharf[3] / nginx[3]:.2f}×, download {wharf[4] / nginx[4]:.2f}×, "
              f"ranges {wharf[5] / nginx[5]:.2f}×, p99 {wharf[2] / nginx[2]:.2f}× nginx's; HTTP/2 over TLS: {wharf[6] / caddy[6]:.2f}× Caddy, "
              f"{wharf[6] / nginx[6]:.2f}× nginx")
        print()
        print("| Wharf, 1 KiB over the wire (wrk -c64, same rounds) | req/s |")
        print("|---|---|")
        for label, rate in api:
            print(f"| {label} | {rate:,.0f} |")
    if args.only == "serving":
        return 0

    wharf_parser, kit_parser = subprocess.run(["taskset", "-c", "0", args.harness, "throughput", "256"], capture_output=True, text=True,
                                              check=True).stdout.split()
    rows.append(("multipart parser alone, 256 MiB body in memory", "Wharf", f"{wharf_parser} GB/s", "", "median of 3"))
    rows.append(("multipart parser alone, 256 MiB body in memory", "multipart-kit 4.7.1", f"{kit_parser} GB/s", "", "median of 3"))

    print()
    print(f"Wharf benchmark, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, median of {args.repetitions}")
    print()
    print("| workload | server | median | peak RSS growth | all runs (MB/s) |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    sys.exit(main())
