"""Sends the start of a request (part of its head, or of its body) on one connection and stops,
then reports, as one JSON line, what the server answered and when it closed the connection.

usage: stalled_client.py PORT FIRST [SECOND] [--tls]
FIRST is written as given (with \\r\\n line ends; empty: nothing at all), then everything that
comes is read until the server closes the connection (at most 30 s). With SECOND, the answer to
FIRST (a whole request) is read, and SECOND is sent two seconds later on the same connection.
With --tls the connection speaks TLS (HTTP/1.1 by ALPN, any certificate). Prints {"answers":
[status lines], "last_body": ..., "closed_after": seconds or null}.
"""
import json
import socket
import ssl
import sys
import time

import tls_client

arguments = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
port = int(arguments[0])
first = arguments[1].replace("\\r\\n", "\r\n").encode()
second = arguments[2].replace("\\r\\n", "\r\n").encode() if len(arguments) > 2 else None
start = time.monotonic()
connection = socket.create_connection(("127.0.0.1", port), timeout=30)
if "--tls" in sys.argv:
    connection = tls_client.wrap(connection, "http/1.1")
stream = connection.makefile("rb")
answers = []
last_body = ""
closed_after = None


def read_answer():
    """The next answer's status line and body (Content-Length framing), or None at the close."""
    status_line = stream.readline()
    if not status_line:
        return None
    length = 0
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, value = line.decode().split(":", 1)
        if name.strip().lower() == "content-length":
            length = int(value)
    return status_line.decode().strip(), stream.read(length).decode("utf-8", "replace")


connection.sendall(first)
if second is not None:
    answer = read_answer()
    if answer:
        answers.append(answer[0])
    time.sleep(2)
    connection.sendall(second)
try:
    while (answer := read_answer()) is not None:
        answers.append(answer[0])
        last_body = answer[1]
    closed_after = time.monotonic() - start
except (ConnectionResetError, ssl.SSLError):
    closed_after = time.monotonic() - start
except (socket.timeout, TimeoutError):
    pass
print(json.dumps({"answers": answers, "last_body": last_body, "closed_after": closed_after}))
