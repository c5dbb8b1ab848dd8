"""The serving half of scripts/bench: Wharf against nginx, FastAPI's StaticFiles and Hummingbird's
own FileMiddleware (the same HTTP core without Wharf's work), each server pinned to core 0 and wrk
to core 1, all in one run.

Workloads: a 1 KiB file (requests/s, p99), a 100 KiB JavaScript file negotiated to gzip (nginx
and Wharf serve its .gz sidecar; FastAPI and Hummingbird have none and send it whole), random 64 KiB ranges of a
256 MiB file (requests/s), and that file downloaded whole with curl (MB/s, median of 5).

nginx runs with sendfile, gzip_static and open_file_cache, without tcp_nopush: with it, each
64 KiB range answer waited for a 40 ms delayed ACK here (about 800 ranges/s instead of 30k).
"""

import os
import re
import statistics
import subprocess
import time

WRK_RANGES = """
math.randomseed(42)
request = function()
  local start = math.random(0, 268435456 - 65536)
  wrk.headers["Range"] = "bytes=" .. start .. "-" .. (start + 65535)
  return wrk.format("GET", "/big.bin")
end
"""


def make_site(root):
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "small.txt"), "wb") as out:
        out.write(os.urandom(512).hex().encode())
    script = b"".join(b"export function f%d(x) { return x * %d + 'wharf'; }\n" % (i, i) for i in range(1800))[: 100 << 10]
    with open(os.path.join(root, "app.js"), "wb") as out:
        out.write(script)
    subprocess.run(["gzip", "-k", "-6", os.path.join(root, "app.js")], check=True)
    with open(os.path.join(root, "big.bin"), "wb") as out:
        for _ in range(256):
            out.write(os.urandom(1 << 20))
    with open(os.path.join(root, "index.html"), "w") as out:
        out.write("<!doctype html><title>bench</title>")


def nginx_config(work, root, port):
    path = os.path.join(work, "nginx.conf")
    with open(path, "w") as out:
        out.write(f"""
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    gzip_static on;
    open_file_cache max=1000 inactive=60s;
    client_body_temp_path {work}/nginx-body;
    proxy_temp_path {work}/nginx-proxy;
    fastcgi_temp_path {work}/nginx-fastcgi;
    uwsgi_temp_path {work}/nginx-uwsgi;
    scgi_temp_path {work}/nginx-scgi;
    server {{ listen 127.0.0.1:{port}; root {root}; }}
}}
""")
    return path


def wrk(port, path, seconds, extra_headers=(), script=None):
    command = ["taskset", "-c", "1", "wrk", "-t1", "-c32", f"-d{seconds}s", "--latency"]
    for header in extra_headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    out = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"wrk against {port}{path}: {errors.group(1)} error responses")
    return rate, p99


def download_speed(port, path, repetitions):
    speeds = []
    for _ in range(repetitions):
        out = subprocess.run(
            ["taskset", "-c", "1", "curl", "-sS", "-o", "/dev/null", "-w", "%{speed_download}", f"http://127.0.0.1:{port}{path}"],
            capture_output=True, text=True, check=True,
        ).stdout
        speeds.append(float(out) / 1e6)
    return statistics.median(speeds)


def run(wharf_binary, hummingbird_peer, venv_python, work, repetitions, seconds=10):
    root = os.path.join(work, "site")
    # nginx's worker runs as an unprivileged user: the site must be readable to others.
    os.chmod(work, 0o755)
    make_site(root)
    ranges_script = os.path.join(work, "ranges.lua")
    with open(ranges_script, "w") as out:
        out.write(WRK_RANGES)
    servers = [
        ("nginx", 18093, ["taskset", "-c", "0", "nginx", "-c", nginx_config(work, root, 18093)], {}),
        ("Wharf", 18091, ["taskset", "-c", "0", wharf_binary, "serve", "--port", "18091", "--static", root,
                          "--storage", os.path.join(work, "wharf-static"), "--log-level", "warning"], {}),
        ("Hummingbird FileMiddleware", 18094, ["taskset", "-c", "0", hummingbird_peer, "18094", root], {}),
        ("FastAPI", 18092, ["taskset", "-c", "0", venv_python, "-m", "uvicorn", "peer_fastapi:app", "--port", "18092",
                            "--log-level", "warning", "--app-dir", os.path.dirname(os.path.abspath(__file__))],
         {"WHARF_PEER_STORAGE": work, "WHARF_PEER_STATIC": root}),
    ]
    rows = []
    for name, port, command, env in servers:
        process = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                if subprocess.run(["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{port}/small.txt"]).returncode == 0:
                    break
                time.sleep(0.1)
            # Each server reads the files once before it is measured (page cache, validator caches).
            subprocess.run(["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{port}/big.bin"], check=True)
            small, small_p99 = wrk(port, "/small.txt", seconds)
            gzip_rate, _ = wrk(port, "/app.js", seconds, ["Accept-Encoding: gzip"])
            ranges, _ = wrk(port, "/big.bin", seconds, script=ranges_script)
            download = download_speed(port, "/big.bin", repetitions)
            rows.append((name, small, small_p99, gzip_rate, download, ranges))
        finally:
            process.terminate()
            process.wait(timeout=15)
    return rows
