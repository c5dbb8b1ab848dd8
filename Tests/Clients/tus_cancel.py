"""Cancels a tus upload as a browser does: cuts its PATCH's connection off mid-body (a reset, as
an aborted fetch) and sends the DELETE on another connection at once, before the server can have
seen the cut. Prints the DELETE's status.

usage: tus_cancel.py PORT PATH TOKEN LENGTH   (PATH: the upload's, LENGTH: its Upload-Length)
"""
import socket
import struct
import sys
import time

port, path, token, length = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
fields = f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nTus-Resumable: 1.0.0\r\n"
patch = socket.create_connection(("127.0.0.1", port), timeout=30)
delete = socket.create_connection(("127.0.0.1", port), timeout=30)
patch.sendall(
    f"PATCH {path} HTTP/1.1\r\n{fields}Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n"
    f"Content-Length: {length}\r\n\r\n".encode() + b"x" * (length // 2)
)
time.sleep(0.5)  # the server writes what came
patch.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
patch.close()
delete.sendall(f"DELETE {path} HTTP/1.1\r\n{fields}Content-Length: 0\r\n\r\n".encode())
print(int(delete.makefile("rb").readline().split()[1]))
