"""The serving half of scripts/bench: Wharf against nginx, Caddy, FastAPI's StaticFiles and
Hummingbird's own FileMiddleware (the same HTTP core without Wharf's work), all in one run.

Every server runs at once, pinned to core 0 (only the one measured is busy); wrk, h2load and curl
run on core 1. Each workload is measured in rounds, and each round measures every server once, so
that the VM's drift spreads over all of them; the median of the rounds is reported.

Workloads: a 1 KiB file (requests/s and p99 at 64 connections), a 100 KiB JavaScript file
negotiated to gzip (nginx, Caddy and Wharf serve its .gz sidecar; FastAPI and Hummingbird have
none and send it whole), random 64 KiB ranges of a 256 MiB file (requests/s), that file
downloaded whole with curl (MB/s; `DOWNLOADS_PER_ROUND` downloads per round, the servers taking
turns, since one download lasts only a tenth of a second); the 1 KiB file over HTTPS with
HTTP/2 (h2load, 4 connections of 8 streams each: Wharf, Caddy and nginx); and Wharf's API for a
stored 1 KiB file (its JSON record, and its download) beside the static path.

nginx runs with one worker, sendfile, gzip_static and open_file_cache, without tcp_nopush: with
it, each 64 KiB range answer waited for a 40 ms delayed ACK here. Caddy runs with GOMAXPROCS=1,
`file_server` with `precompressed gzip` and `encode gzip`.
"""

import os
import re
import statistics
import subprocess
import time
import urllib.request

import wharf_auth

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


def nginx_config(work, root, port, tls_port, certificate, key):
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
    server {{
        listen 127.0.0.1:{tls_port} ssl http2;
        # h2load does not reconnect: nginx's default of 1,000 requests per connection would end the run.
        keepalive_requests 100000000;
        ssl_certificate {certificate};
        ssl_certificate_key {key};
        root {root};
    }}
}}
""")
    return path


def caddy_config(work, root, port, tls_port, certificate, key):
    path = os.path.join(work, "Caddyfile")
    with open(path, "w") as out:
        out.write(f"""{{
    admin off
    auto_https disable_redirects
    storage file_system {work}/caddy-data
}}
http://127.0.0.1:{port} {{
    root * {root}
    encode gzip
    file_server {{
        precompressed gzip
    }}
}}
https://127.0.0.1:{tls_port} {{
    tls {certificate} {key}
    root * {root}
    encode gzip
    file_server {{
        precompressed gzip
    }}
}}
""")
    return path


def wrk(port, path, seconds, extra_headers=(), script=None, connections=64):
    command = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
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


def milliseconds(latency):
    """wrk's `1.23ms`, `456.78us` or `1.02s` in milliseconds."""
    value, unit = re.match(r"([\d.]+)(\w+)", latency).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def h2load(port, path, seconds):
    out = subprocess.run(
        ["taskset", "-c", "1", "h2load", "-c4", "-m8", "-t1", f"-D{seconds}", f"https://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True,
    ).stdout
    succeeded = int(re.search(r"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded", out).group(1))
    if "h2" not in re.search(r"Application protocol: (\S+)", out).group(1):
        raise SystemExit(f"h2load against {port} did not negotiate HTTP/2")
    return succeeded / seconds


DOWNLOADS_PER_ROUND = 5


def download_speed(port, path):
    out = subprocess.run(
        ["taskset", "-c", "1", "curl", "-sS", "-o", "/dev/null", "-w", "%{speed_download}", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True,
    ).stdout
    return float(out) / 1e6


def wait_for(url, extra=()):
    for _ in range(200):
        if subprocess.run(["curl", "-sk", "-o", "/dev/null", "--fail", *extra, url]).returncode == 0:
            return
        time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def run(wharf_binary, hummingbird_peer, venv_python, work, repetitions, seconds=5):
    root = os.path.join(work, "site")
    # nginx's worker runs as an unprivileged user: the site must be readable to others.
    os.chmod(work, 0o755)
    make_site(root)
    ranges_script = os.path.join(work, "ranges.lua")
    with open(ranges_script, "w") as out:
        out.write(WRK_RANGES)
    certificate, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                    "-out", certificate, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    os.chmod(key, 0o644)
    caddy = os.path.join(os.path.dirname(venv_python), "caddy")
    wharf_common = ["--static", root, "--log-level", "warning", "--scrub-interval", "off"]
    # (name, plain port, TLS port or None, command, environment)
    servers = [
        ("nginx", 18093, 18193, ["nginx", "-c", nginx_config(work, root, 18093, 18193, certificate, key)], {}),
        ("Caddy", 18095, 18195, [caddy, "run", "--adapter", "caddyfile", "--config", caddy_config(work, root, 18095, 18195, certificate, key)],
         {"GOMAXPROCS": "1", "XDG_DATA_HOME": work, "XDG_CONFIG_HOME": work}),
        ("Wharf", 18091, None, [wharf_binary, "serve", "--port", "18091", "--storage", os.path.join(work, "wharf-static"), *wharf_common],
         wharf_auth.ENV),
        ("Hummingbird FileMiddleware", 18094, None, [hummingbird_peer, "18094", root], {}),
        ("FastAPI", 18092, None, [venv_python, "-m", "uvicorn", "peer_fastapi:app", "--port", "18092", "--log-level", "warning",
                                  "--app-dir", os.path.dirname(os.path.abspath(__file__))],
         {"WHARF_PEER_STORAGE": work, "WHARF_PEER_STATIC": root}),
        # Wharf over HTTPS is a process of its own (one listener per process), on the same core.
        ("Wharf (HTTPS)", None, 18191, [wharf_binary, "serve", "--port", "18191", "--storage", os.path.join(work, "wharf-tls"),
                                        "--tls-cert", certificate, "--tls-key", key, *wharf_common], wharf_auth.ENV),
    ]
    processes = []
    try:
        for _, port, tls_port, command, env in servers:
            processes.append(subprocess.Popen(["taskset", "-c", "0", *command], env={**os.environ, **env},
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            if port:
                wait_for(f"http://127.0.0.1:{port}/small.txt")
            if tls_port:
                wait_for(f"https://127.0.0.1:{tls_port}/small.txt")
        plain = [(name, port) for name, port, _, _, _ in servers if port]
        # Each server reads the files once before it is measured (page cache, validator caches).
        for _, port in plain:
            for path in ("/big.bin", "/small.txt", "/app.js"):
                subprocess.run(["curl", "-s", "-o", "/dev/null", "-H", "Accept-Encoding: gzip", f"http://127.0.0.1:{port}{path}"], check=True)
        results = {name: {"small": [], "p99": [], "gzip": [], "ranges": [], "download": [], "h2": []} for name, *_ in servers}
        for _ in range(repetitions):
            for name, port in plain:
                rate, p99 = wrk(port, "/small.txt", seconds)
                results[name]["small"].append(rate)
                results[name]["p99"].append(milliseconds(p99))
            for name, port in plain:
                results[name]["gzip"].append(wrk(port, "/app.js", seconds, ["Accept-Encoding: gzip"])[0])
            for name, port in plain:
                results[name]["ranges"].append(wrk(port, "/big.bin", seconds, script=ranges_script)[0])
            for _ in range(DOWNLOADS_PER_ROUND):
                for name, port in plain:
                    results[name]["download"].append(download_speed(port, "/big.bin"))
            for name, _, tls_port, _, _ in servers:
                if tls_port:
                    results["Wharf" if name == "Wharf (HTTPS)" else name]["h2"].append(h2load(tls_port, "/small.txt", seconds))
        api = api_rows(seconds, repetitions)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)
    rows = []
    for name, _ in plain:
        measured = results[name]
        rows.append((name, *(statistics.median(measured[key]) if measured[key] else None
                             for key in ("small", "p99", "gzip", "download", "ranges", "h2"))))
    return rows, api


def api_rows(seconds, repetitions):
    """Wharf's API for a stored 1 KiB file, beside its static path, in the same rounds."""
    auth = wharf_auth.header(18091)
    name, _, value = auth.partition(": ")
    request = urllib.request.Request("http://127.0.0.1:18091/api/files?name=one-kib.txt", data=os.urandom(512).hex().encode(),
                                     method="POST", headers={name: value, "Content-Type": "text/plain"})
    import json

    record = json.load(urllib.request.urlopen(request))["id"]
    paths = [("static file /small.txt", "/small.txt"), ("GET /api/files/{id} (JSON record)", f"/api/files/{record}"),
             ("GET /api/files/{id}/download", f"/api/files/{record}/download")]
    rates = {label: [] for label, _ in paths}
    for _ in range(repetitions):
        for label, path in paths:
            rates[label].append(wrk(18091, path, seconds, [auth])[0])
    return [(label, statistics.median(rates[label])) for label, _ in paths]
