"""Sends an HTTP/1 request's head that asks for `100 Continue`, waits up to WAIT seconds for the
server's word (curl waits one), sends the body, and reports, as one JSON line, the status lines
that came: a 100 first or not, then the answer.

usage: expecting_client.py PORT HEAD BODY WAIT
HEAD and BODY are written as given (with \\r\\n line ends). Prints {"status_lines": [...]}.
"""
import json
import select
import socket
import sys

port, wait = int(sys.argv[1]), float(sys.argv[4])
head, body = (argument.replace("\\r\\n", "\r\n").encode() for argument in sys.argv[2:4])
connection = socket.create_connection(("127.0.0.1", port), timeout=30)
stream = connection.makefile("rb")
connection.sendall(head)
status_lines = []


def read_head():
    """The next answer head's status line and Content-Length."""
    status_line = stream.readline().decode().strip()
    length = 0
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, value = line.decode().split(":", 1)
        if name.strip().lower() == "content-length":
            length = int(value)
    return status_line, length


# Nothing within the wait: no 100, and the body goes unasked.
if select.select([connection], [], [], wait)[0]:
    status_lines.append(read_head()[0])
connection.sendall(body)
if not status_lines or status_lines[0].split()[1] == "100":
    status_line, length = read_head()
    status_lines.append(status_line)
    stream.read(length)
print(json.dumps({"status_lines": status_lines}))
