"""Downloads over HTTP/2 (TLS, ALPN h2) with the h2 library while keeping the stream's
flow-control window shut: the connection's window is opened wide and the server's PINGs are
answered (h2 does), so only the stream stalls, after the 64 KiB its first window lets through.
With --slow the stream's window is opened by 16 KiB every quarter of a second instead (64 KiB a
second).

usage: h2_stalled_stream.py PORT PATH WAIT [--slow] [HEADER...]
Prints {"status": final status, "received": body bytes, "reset_after": seconds from the request
to the server's RST_STREAM or null, "ended": whether the body came whole} as JSON after WAIT
seconds, or as soon as the stream ends.
"""
import json
import sys
import time

import h2.events

import h2_client

port, path, wait = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
slow = "--slow" in sys.argv[4:]
headers = [argument.split(": ", 1) for argument in sys.argv[4:] if argument != "--slow"]
connection, client = h2_client.connect(port, timeout=0.25)
client.increment_flow_control_window(1 << 30)
client.send_headers(1, [(":method", "GET"), (":scheme", "https"), (":path", path), (":authority", "127.0.0.1")] + headers, end_stream=True)
connection.sendall(client.data_to_send())

start = time.monotonic()
status, received, reset_after, ended = None, 0, None, False
next_opening = start
while time.monotonic() - start < wait and reset_after is None and not ended:
    if slow and time.monotonic() >= next_opening:
        client.increment_flow_control_window(16 << 10, stream_id=1)
        next_opening += 0.25
    try:
        data = connection.recv(1 << 20)
    except TimeoutError:
        data = b""
    else:
        if not data:
            break
    for event in client.receive_data(data) if data else []:
        if isinstance(event, h2.events.ResponseReceived):
            status = int(dict(event.headers)[":status"])
        elif isinstance(event, h2.events.DataReceived):
            received += len(event.data)
        elif isinstance(event, h2.events.StreamReset):
            reset_after = round(time.monotonic() - start, 2)
        elif isinstance(event, h2.events.StreamEnded):
            ended = True
    connection.sendall(client.data_to_send())
print(json.dumps({"status": status, "received": received, "reset_after": reset_after, "ended": ended}))
