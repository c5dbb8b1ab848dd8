"""Starts an upload over HTTP/2 (TLS, ALPN h2) with the h2 library, sends 1 MiB of its body,
then resets the stream (RST_STREAM, CANCEL) as a client that gives up does, and waits a second
on the connection.

usage: h2_reset_upload.py PORT AUTHORIZATION
Prints {"sent": body bytes sent} as JSON.
"""
import json
import sys
import time

import h2.errors

import h2_client

port, authorization = int(sys.argv[1]), sys.argv[2]
connection, client = h2_client.connect(port, timeout=10)
client.send_headers(
    1,
    [(":method", "PUT"), (":scheme", "https"), (":path", "/api/files?name=reset.bin"), (":authority", "127.0.0.1"), ("authorization", authorization)],
)
connection.sendall(client.data_to_send())
sent, size = 0, 1 << 20
while sent < size:
    room = min(client.local_flow_control_window(1), client.max_outbound_frame_size, size - sent)
    if room <= 0:
        client.receive_data(connection.recv(65536))  # the server's window updates
    else:
        client.send_data(1, bytes(room))
        sent += room
    connection.sendall(client.data_to_send())
client.reset_stream(1, h2.errors.ErrorCodes.CANCEL)
connection.sendall(client.data_to_send())
time.sleep(1)
print(json.dumps({"sent": sent}))
