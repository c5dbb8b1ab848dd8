"""An HTTP/2 connection over TLS (ALPN h2, any certificate) to 127.0.0.1, for the clients that
speak it with the h2 library."""
import socket

import h2.config
import h2.connection

import tls_client


def connect(port, timeout):
    """The TLS socket, with `timeout` on its reads, and the h2 connection, its preface not yet sent."""
    connection = tls_client.wrap(socket.create_connection(("127.0.0.1", port), timeout=timeout), "h2")
    client = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    client.initiate_connection()
    return connection, client
