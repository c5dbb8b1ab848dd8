"""Opens a WebSocket on /api/ws with a raw socket, sends frames as given (masked or not), and
prints one JSON line: the handshake's status, the code of the Close frame the server sent (null if
none) and whether the server then closed the connection within three seconds.

usage: websocket_frames.py PORT TOKEN [--tls=CERTIFICATE] FRAME [FRAME ...]
FRAME is masked:TEXT or unmasked:TEXT (a text frame); the frames go out together, with the
handshake, so that the server may meet them before the upgrade is done. With --tls the connection
is HTTPS (HTTP/1.1 by ALPN), the server's certificate checked against CERTIFICATE.
"""
import base64
import json
import os
import socket
import ssl
import struct
import sys

port, token, frames = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
certificate = None
if frames and frames[0].startswith("--tls="):
    certificate = frames.pop(0)[len("--tls="):]


def frame(kind, text):
    payload = text.encode()
    assert len(payload) < 126
    if kind == "unmasked":
        return bytes([0x81, len(payload)]) + payload
    key = os.urandom(4)
    return bytes([0x81, 0x80 | len(payload)]) + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


connection = socket.create_connection(("127.0.0.1", port), timeout=10)
if certificate:
    context = ssl.create_default_context(cafile=certificate)
    context.set_alpn_protocols(["http/1.1"])
    connection = context.wrap_socket(connection, server_hostname="127.0.0.1")
handshake = (
    "GET /api/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\nSec-WebSocket-Version: 13\r\n"
    f"Authorization: Bearer {token}\r\n\r\n"
).encode()
connection.sendall(handshake + b"".join(frame(*spec.split(":", 1)) for spec in frames))

stream = connection.makefile("rb")
status = int(stream.readline().split()[1])
while stream.readline() not in (b"\r\n", b""):
    pass
connection.settimeout(3)
close_code, closed = None, False
try:
    while True:
        head = stream.read(2)
        if len(head) < 2:
            closed = True
            break
        length = head[1] & 0x7F
        if length == 126:
            length = struct.unpack(">H", stream.read(2))[0]
        elif length == 127:
            length = struct.unpack(">Q", stream.read(8))[0]
        payload = stream.read(length)
        if head[0] & 0x0F == 0x8:
            close_code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
except socket.timeout:
    pass
print(json.dumps({"status": status, "close_code": close_code, "closed": closed}), flush=True)
