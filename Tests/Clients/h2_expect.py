"""Uploads over HTTP/2 (TLS, ALPN h2) as a client that waits for `100 Continue`, with the h2
library: sends the head of PUT /api/files?name=expect.bin with `expect: 100-continue` and the
body's length, and sends the body only once a 100 has come; a final answer before it ends the
upload with nothing sent.

usage: h2_expect.py PORT AUTHORIZATION SIZE
Prints {"informational": [statuses], "status": final status, "sent": body bytes sent} as JSON.
"""
import json
import sys

import h2.events

import h2_client

port, authorization, size = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
connection, client = h2_client.connect(port, timeout=10)
client.send_headers(
    1,
    [
        (":method", "PUT"),
        (":scheme", "https"),
        (":path", "/api/files?name=expect.bin"),
        (":authority", "127.0.0.1"),
        ("authorization", authorization),
        ("expect", "100-continue"),
        ("content-length", str(size)),
    ],
)
connection.sendall(client.data_to_send())

informational, status, sent, invited = [], None, 0, False
while status is None:
    data = connection.recv(65536)
    if not data:
        break
    for event in client.receive_data(data):
        if isinstance(event, h2.events.InformationalResponseReceived):
            informational.append(int(dict(event.headers)[":status"]))
            invited = True
        elif isinstance(event, h2.events.ResponseReceived):
            status = int(dict(event.headers)[":status"])
    # Sends what the windows allow, then waits for them to open (or for the answer).
    while invited and status is None and sent < size:
        room = min(client.local_flow_control_window(1), client.max_outbound_frame_size, size - sent)
        if room <= 0:
            break
        client.send_data(1, bytes(room), end_stream=sent + room == size)
        sent += room
    connection.sendall(client.data_to_send())
print(json.dumps({"informational": informational, "status": status, "sent": sent}))
