"""Opens COUNT connections at once, keeps every one open, sends a request for PATH on each, and
reports as one JSON line how many were answered with 200 and how many were not answered within
10 s. A server out of descriptors stops accepting: once its backlog is full, a connection that is
not made within 5 s ends the opening, and it and the ones never opened count as unanswered.

usage: many_connections.py PORT COUNT PATH
"""
import json
import selectors
import socket
import sys
import time

port, count, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
connections = []
for _ in range(count):
    try:
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError:
        break
    connection.sendall(request)
    connection.setblocking(False)
    connections.append(connection)

selector = selectors.DefaultSelector()
heads = {}
for connection in connections:
    selector.register(connection, selectors.EVENT_READ)
    heads[connection] = b""
answered = 0
deadline = time.monotonic() + 10
while heads and time.monotonic() < deadline:
    for key, _ in selector.select(timeout=max(0, deadline - time.monotonic())):
        connection = key.fileobj
        data = connection.recv(65536)
        heads[connection] += data
        if b"\r\n" in heads[connection] or not data:
            answered += heads[connection].startswith(b"HTTP/1.1 200 ")
            selector.unregister(connection)
            del heads[connection]
print(json.dumps({"answered": answered, "unanswered": count - answered}))
