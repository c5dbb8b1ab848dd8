"""Writes raw HTTP/1 requests on one connection and reports, as one JSON line, the answers that
came back (status line, headers, the head's lines as sent, body) and whether the server closed the
connection after them.

usage: persistence.py PORT REQUESTS [--expect N] [--head-only]
REQUESTS is written as given (with \\r\\n line ends), all at once. Answers are read by their
framing (Content-Length, chunked, or up to the close); with --head-only, the first answer's head
only (for a stream that does not end). The first N answers (1 unless told) are each awaited up
to 30 s, as a busy machine may be slow to give them; after them the connection counts as kept
when nothing more came within a second.
"""
import json
import socket
import sys

port = int(sys.argv[1])
requests = sys.argv[2].replace("\\r\\n", "\r\n").encode()
head_only = "--head-only" in sys.argv[3:]
expected = int(sys.argv[sys.argv.index("--expect") + 1]) if "--expect" in sys.argv[3:] else 1
connection = socket.create_connection(("127.0.0.1", port), timeout=30)
connection.sendall(requests)
stream = connection.makefile("rb")
answers = []
closed = False
while True:
    connection.settimeout(30 if len(answers) < expected else 1)
    try:
        status_line = stream.readline()
    except (socket.timeout, TimeoutError):
        break
    if not status_line:
        closed = True
        break
    connection.settimeout(30)
    headers = {}
    lines = []
    while (line := stream.readline()) not in (b"\r\n", b""):
        lines.append(line.decode())
        name, value = line.decode().split(":", 1)
        headers[name.strip().lower()] = value.strip()
    answer = {"status_line": status_line.decode().strip(), "headers": headers, "lines": lines}
    answers.append(answer)
    if head_only:
        break
    if "content-length" in headers:
        body = stream.read(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        body = b""
        while (size := int(stream.readline().split(b";")[0], 16)) > 0:
            body += stream.read(size)
            stream.readline()
        stream.readline()
    else:
        body = stream.read()
    answer["body_length"] = len(body)
    answer["body"] = body.decode("utf-8", "replace")
print(json.dumps({"answers": answers, "closed": closed}))
