"""TLS for the clients that test HTTPS: to the tests' own self-signed certificates (any
certificate is taken), with the protocol chosen by ALPN."""
import ssl


def wrap(connection, protocol):
    """`connection` speaking TLS, offering `protocol` (`h2`, `http/1.1`), which the server must choose."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols([protocol])
    wrapped = context.wrap_socket(connection)
    assert wrapped.selected_alpn_protocol() == protocol, wrapped.selected_alpn_protocol()
    return wrapped
