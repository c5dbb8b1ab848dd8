"""Asks for a download on one connection and takes none of it for a while, as a client that
stopped reading, then reads what is left, to see whether the server gave up on it.

usage: unread_download.py PORT PATH WAIT [--then-close] [--tls] [HEADER ...]
Connects with a small receive buffer (64 KiB), over TLS with --tls (HTTP/1.1 by ALPN, any
certificate), sends GET PATH (with each HEADER, `Name: value`),
reads nothing for WAIT seconds, then reads until the connection ends (at most 30 s more), or with
--then-close closes it unread. Prints one JSON line: {"status_line": the answer's first line,
"received": bytes of body read, "length": its Content-Length, "ended": "closed", "reset" or
"timeout"}.
"""
import json
import socket
import ssl
import sys
import time

import tls_client

arguments = [argument for argument in sys.argv[1:] if argument not in ("--then-close", "--tls")]
port, path, wait = int(arguments[0]), arguments[1], float(arguments[2])
headers = "".join(header + "\r\n" for header in arguments[3:])
connection = socket.socket()
connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)
connection.connect(("127.0.0.1", port))
if "--tls" in sys.argv:
    connection = tls_client.wrap(connection, "http/1.1")
connection.sendall(f"GET {path} HTTP/1.1\r\nHost: a\r\n{headers}\r\n".encode())
time.sleep(wait)
if "--then-close" in sys.argv:
    connection.close()
    print(json.dumps({"status_line": "", "received": 0, "length": None, "ended": "closed"}))
    sys.exit(0)
connection.settimeout(30)
head = bytearray()
received = 0
ended = "closed"
try:
    while True:
        chunk = connection.recv(1 << 20)
        if not chunk:
            break
        if b"\r\n\r\n" in head:
            received += len(chunk)
        else:
            head += chunk
            if b"\r\n\r\n" in head:
                head, _, body = bytes(head).partition(b"\r\n\r\n")
                head += b"\r\n\r\n"
                received = len(body)
except (ConnectionResetError, ssl.SSLError):
    ended = "reset"
except socket.timeout:
    ended = "timeout"
lines = bytes(head).decode("latin-1").split("\r\n")
length = next((int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")), None)
print(json.dumps({"status_line": lines[0], "received": received, "length": length, "ended": ended}))
