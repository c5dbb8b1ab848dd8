"""Sends requests made of random bad parts (methods, paths, header fields, queries and bodies that
Wharf must refuse or take in its stride), each on a connection of its own, and prints one JSON
object: how many were sent, how many got each status, and what went wrong. Wrong is an answer
that never comes (or not whole within 15 s), a body other than its Content-Length, a connection
closed without one, a 5xx (but 501 with a JSON detail for a transfer coding other than chunked,
which RFC 9112 §6.1 asks for), or an API error without a JSON `detail`.

usage: bad_requests.py PORT TOKEN SEED COUNT
"""
import gzip
import json
import random
import socket
import sys
import urllib.parse

port, token, seed, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
auth = f"Authorization: Bearer {token}"


def exchange(raw, timeout=15):
    """The bytes answered to `raw` until the server closes, `None` when that takes too long; the
    connection is half-closed once `raw` is sent, as a client that has nothing more to say."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        connection.sendall(raw)
        try:
            connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        answer = b""
        while True:
            try:
                data = connection.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            answer += data
            if answer.startswith(b"HTTP/1.1 101 "):
                break
        return answer
    except socket.timeout:
        return None
    finally:
        connection.close()


def fields_of(answer):
    """The header fields of an answer, names and values in lower case."""
    fields = {}
    for line in answer.partition(b"\r\n\r\n")[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        fields[name.strip().lower()] = value.strip().lower()
    return fields


def body_of(answer):
    """The body of a whole answer, its transfer and content codings undone."""
    body = answer.partition(b"\r\n\r\n")[2]
    fields = fields_of(answer)
    if fields.get(b"transfer-encoding") == b"chunked":
        decoded = b""
        while body:
            size_line, _, body = body.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                break
            decoded, body = decoded + body[:size], body[size + 2:]
        body = decoded
    if fields.get(b"content-encoding") == b"gzip":
        body = gzip.decompress(body)
    return body


def request(method, target, fields, body):
    return (f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(f + "\r\n" for f in fields) + "Connection: close\r\n\r\n").encode(
        "latin-1"
    ) + body


# Something for the bad requests to aim at: a stored file and an open resumable upload.
created = exchange(request("PUT", "/api/files?name=target.txt", [auth, "Content-Length: 5"], b"hello"))
file_id = json.loads(body_of(created))["id"]
opened = exchange(request("POST", "/api/uploads/", [auth, "Tus-Resumable: 1.0.0", "Upload-Length: 100", "Content-Length: 0"], b""))
location = next(line for line in opened.split(b"\r\n") if line.lower().startswith(b"location:")).split(b":", 1)[1].strip().decode()
upload = urllib.parse.urlparse(location).path

paths = [
    "/api/files", f"/api/files/{file_id}", f"/api/files/{file_id}/download", f"/api/files/{file_id}/content",
    f"/api/files/{file_id}/links", f"/api/files/{file_id}/thumbnail", "/api/files/nonexistent", "/api/uploads/", upload,
    "/api/uploads/nonexistent", "/api/jobs", "/api/me", "/api/me/password", "/api/users", "/api/users/nobody", "/api/token", "/api/links/nonexistent", "/api/ws", "/api/nothing",
    "/login", "/logout", "/s/nonexistent", "/small.txt", "/", "/%2e%2e/etc/passwd", "/a%00b", "/metrics", "/readyz", "/healthz",
]
methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO"]
fields = [
    "Range: bytes=0-1", "Range: bytes=-0", "Range: bytes=99999999999999999999-", "Range: bytes=5-1,0-0,1-", "Range: lines=1-2",
    "If-None-Match: *", 'If-Match: "x"', "If-Modified-Since: garbage", "If-Range: Mon, 01 Jan 1990 00:00:00 GMT",
    "Accept-Encoding: gzip;q=2, br;q=-1", "Content-Type: multipart/form-data", "Content-Type: multipart/form-data; boundary=",
    'Content-Type: multipart/form-data; boundary="x"', "Content-Type: application/json", "Content-Type: application/offset+octet-stream",
    "Tus-Resumable: 1.0.0", "Tus-Resumable: 0.2", "Upload-Offset: -1", "Upload-Offset: 0", "Upload-Offset: 99999999999999999999999",
    "Upload-Length: -5", "Upload-Length: 1e3", "Upload-Defer-Length: 1", "Upload-Defer-Length: 2", "Upload-Metadata: filename ###,filetype",
    "Upload-Metadata: a", "Upload-Checksum: sha256 @@@", "Upload-Checksum: crc32 AAAA", "Upload-Checksum: sha1",
    "Upload-Concat: final;/api/uploads/x /api/uploads/../../etc", "Upload-Concat: partial", "Upload-Concat: final;",
    "X-HTTP-Method-Override: DELETE", "X-HTTP-Method-Override: ", "Last-Event-ID: \x7f", "Cookie: wharf_session=%%%",
    "Authorization: Bearer x.y.z", "Authorization: Basic ###", "Expect: 100-continue", "Transfer-Encoding: chunked",
    "Transfer-Encoding: gzip, chunked", "Content-Length: 3", "Content-Length: -1", "Upgrade: websocket", "Connection: Upgrade",
    "Sec-WebSocket-Key: a", "Sec-WebSocket-Version: 99", "Origin: http://elsewhere.example", "Accept: application/json",
    "X-Request-ID: \xff\xfe",
]
queries = [
    "", "?limit=0", "?limit=abc", "?limit=1001", "?cursor=%%%", "?cursor=AAAA", "?sort=bogus", "?q=%00", "?name=", "?name=%2F",
    "?name=a%00b", "?name=x&tags=,,,", "?size=abc", "?size=99999", "?disposition=inline", "?status=bogus", "?last_event_id=-1",
    "?next=//elsewhere.example", "?name=" + "a" * 300,
]
bodies = [
    b"", b"{", b"{}", b"[]", b"null", b'{"name": 5}', b'{"expires_in": -1}', b'{"expires_in": 1e300}', b'{"max_downloads": 0}',
    b'{"name":"\\u0000"}', b"--x\r\n\r\n", b'--x\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc\r\n--x--\r\n',
    b"username=admin&password=x&grant_type=password", b"\x00" * 50, b"0\r\n\r\n", b"zz\r\nabc\r\n0\r\n\r\n",
]

chooser = random.Random(seed)
statuses, violations = {}, []
for _ in range(count):
    method, path = chooser.choice(methods), chooser.choice(paths)
    target = path + chooser.choice(queries)
    chosen = chooser.sample(fields, chooser.randint(0, 5)) + ([auth] if chooser.random() < 0.8 else [])
    body = chooser.choice(bodies)
    if not any(f.lower().startswith(("transfer-encoding", "content-length")) for f in chosen):
        chosen.append(f"Content-Length: {len(body)}")
    raw = request(method, target, chosen, body)
    answer = exchange(raw)
    shown = raw[:400].decode("latin-1")
    if answer is None:
        violations.append({"request": shown, "problem": "no whole answer within 15 s"})
        continue
    # An interim 100 (Continue) comes before the answer.
    while answer.startswith(b"HTTP/1.1 100 ") and b"\r\n\r\n" in answer:
        answer = answer.partition(b"\r\n\r\n")[2]
    if not answer.startswith(b"HTTP/1.1 "):
        violations.append({"request": shown, "problem": f"answered {answer[:80]!r}"})
        continue
    status = int(answer.split(b" ", 2)[1])
    statuses[status] = statuses.get(status, 0) + 1
    if status == 101:
        continue
    declared = fields_of(answer).get(b"content-length")
    if method != "HEAD" and status not in (204, 304) and declared and len(answer.partition(b"\r\n\r\n")[2]) != int(declared):
        violations.append({"request": shown, "problem": f"{status} with a body other than its Content-Length", "answer": answer[:300].decode("latin-1")})
        continue
    try:
        detail = json.loads(body_of(answer)).get("detail") if method != "HEAD" and status >= 400 else None
    except (ValueError, AttributeError):
        detail = None
    refused_coding = status == 501 and b"Transfer-Encoding: gzip" in raw and (method == "HEAD" or detail is not None)
    if status >= 500 and not refused_coding:
        violations.append({"request": shown, "problem": f"status {status}", "answer": answer[:300].decode("latin-1")})
    elif status >= 400 and method != "HEAD" and path.startswith("/api/") and detail is None:
        violations.append({"request": shown, "problem": f"{status} without a JSON detail", "answer": answer[:300].decode("latin-1")})

print(json.dumps({"sent": count, "statuses": {str(k): v for k, v in sorted(statuses.items())}, "violations": violations[:20],
                  "violation_count": len(violations)}))
