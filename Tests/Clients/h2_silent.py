"""Opens an HTTP/2 connection over TLS, says only its preface and SETTINGS, and never answers
anything after (not even a PING), then reports, as one JSON line, the frame types the server
sent and when it closed the connection.

usage: h2_silent.py PORT
Prints {"frames": [frame type numbers], "closed_after": seconds or null (still open after 30 s)}.
"""
import json
import socket
import ssl
import sys
import time

import tls_client

port = int(sys.argv[1])
start = time.monotonic()
connection = tls_client.wrap(socket.create_connection(("127.0.0.1", port), timeout=30), "h2")
# The client preface and an empty SETTINGS frame (length 0, type 4, no flags, stream 0).
connection.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0]))
received = b""
closed_after = None
try:
    while chunk := connection.recv(65536):
        received += chunk
    closed_after = time.monotonic() - start
except (ConnectionResetError, ssl.SSLError):
    closed_after = time.monotonic() - start
except (socket.timeout, TimeoutError):
    pass
frames = []
while len(received) >= 9:
    length = int.from_bytes(received[:3], "big")
    frames.append(received[3])
    received = received[9 + length:]
print(json.dumps({"frames": frames, "closed_after": closed_after}))
