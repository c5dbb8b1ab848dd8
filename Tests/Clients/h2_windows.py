"""Opens an HTTP/2 connection over TLS, starts an upload of which it sends one DATA frame, and
reports, as one JSON line, the flow-control windows the server grants: the stream window its
SETTINGS announce, and the connection's window once the server has answered that first frame
with a WINDOW_UPDATE.

usage: h2_windows.py PORT
Prints {"initial_window_size": bytes or null (not announced: 65535), "connection_window": bytes}
(no WINDOW_UPDATE within 5 s: the default window less the frame sent).
"""
import json
import socket
import sys

import tls_client

DEFAULT_WINDOW = 65535
SENT = 16384


def frame(kind, flags, stream, payload):
    return len(payload).to_bytes(3, "big") + bytes([kind, flags]) + stream.to_bytes(4, "big") + payload


def literal(name, value):
    """An HPACK literal field without indexing, with a new name, neither string Huffman-coded."""
    return bytes([0, len(name)]) + name + bytes([len(value)]) + value


port = int(sys.argv[1])
connection = tls_client.wrap(socket.create_connection(("127.0.0.1", port), timeout=5), "h2")
head = b"".join(
    literal(name, value)
    for name, value in [(b":method", b"POST"), (b":scheme", b"https"), (b":path", b"/api/files?name=w.bin"), (b":authority", b"127.0.0.1")]
)
# The preface, empty SETTINGS, then stream 1's head (END_HEADERS) and one DATA frame of its body.
connection.sendall(
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, b"") + frame(1, 4, 1, head) + frame(0, 0, 1, bytes(SENT))
)
received = b""
initial_window_size = None
granted = 0
settings_seen = False
while not (settings_seen and granted):
    try:
        chunk = connection.recv(65536)
    except (socket.timeout, TimeoutError):
        break  # No WINDOW_UPDATE for the connection: the server keeps HTTP/2's default window.
    if not chunk:
        break
    received += chunk
    while len(received) >= 9 and len(received) >= 9 + int.from_bytes(received[:3], "big"):
        length = int.from_bytes(received[:3], "big")
        kind, flags, stream = received[3], received[4], int.from_bytes(received[5:9], "big") & 0x7FFFFFFF
        payload = received[9 : 9 + length]
        received = received[9 + length :]
        if kind == 4 and not flags & 1:
            settings_seen = True
            for offset in range(0, length, 6):
                if int.from_bytes(payload[offset : offset + 2], "big") == 4:
                    initial_window_size = int.from_bytes(payload[offset + 2 : offset + 6], "big")
            connection.sendall(frame(4, 1, 0, b""))
        elif kind == 8 and stream == 0:
            granted += int.from_bytes(payload, "big") & 0x7FFFFFFF
print(json.dumps({"initial_window_size": initial_window_size, "connection_window": DEFAULT_WINDOW - SENT + granted}))
