"""A tus endpoint that keeps nothing, as a yardstick for the client: it creates uploads and reads
each PATCH body into one reused buffer, then answers with the new offset. No server that stores
the bytes can take tuspy's pieces faster, so its MB/s is about the most this client reaches on
this machine, whoever serves it.

Usage: bench_tus_sink.py PORT"""

import http.server
import sys
import uuid


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    buffer = memoryview(bytearray(1 << 20))
    offsets: dict[str, int] = {}

    def log_message(self, format, *args):
        pass

    def answer(self, status, headers=()):
        self.send_response(status)
        self.send_header("Tus-Resumable", "1.0.0")
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self.answer(200)

    def do_POST(self):
        name = uuid.uuid4().hex
        self.offsets[name] = 0
        self.answer(201, [("Location", f"/files/{name}")])

    def do_PATCH(self):
        name = self.path.rsplit("/", 1)[-1]
        if name not in self.offsets:
            self.answer(404)
            return
        left = int(self.headers.get("Content-Length", "0"))
        while left:
            count = self.rfile.readinto(self.buffer[: min(left, len(self.buffer))])
            if not count:
                return
            left -= count
            self.offsets[name] += count
        self.answer(204, [("Upload-Offset", str(self.offsets[name]))])

    def do_DELETE(self):
        self.offsets.pop(self.path.rsplit("/", 1)[-1], None)
        self.answer(204)


if __name__ == "__main__":
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
