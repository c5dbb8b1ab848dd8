"""Sends requests pipelined on one connection (all written before any answer is read) and prints
one JSON line per answer, in the order they arrive: status, X-Request-ID and the body's SHA-256.

usage: pipelined.py PORT METHOD:PATH [METHOD:PATH ...]   (request i carries X-Request-ID: p<i>)
"""
import hashlib
import json
import socket
import sys

port = int(sys.argv[1])
requests = [target.split(":", 1) for target in sys.argv[2:]]
connection = socket.create_connection(("127.0.0.1", port), timeout=30)
connection.sendall(
    "".join(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: p{index}\r\n\r\n" for index, (method, path) in enumerate(requests)).encode()
)
answers = connection.makefile("rb")
for method, _ in requests:
    status = int(answers.readline().split()[1])
    headers = {}
    while (line := answers.readline()) not in (b"\r\n", b""):
        name, value = line.decode().split(":", 1)
        headers[name.strip().lower()] = value.strip()
    body = b"" if method == "HEAD" or status == 304 else answers.read(int(headers.get("content-length", "0")))
    print(json.dumps({"status": status, "id": headers.get("x-request-id"), "sha256": hashlib.sha256(body).hexdigest()}), flush=True)
