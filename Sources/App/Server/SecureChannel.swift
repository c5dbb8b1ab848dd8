import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP2
import NIOSSL

/// HTTPS: TLS, then HTTP/2 or HTTP/1.1 as ALPN settles it. Hummingbird's own HTTP/2 upgrade
/// channel falls back to plain HTTP/1.1; this one falls back to HTTP/1.1 with its WebSocket
/// upgrade, so `/api/ws` works over HTTPS as over HTTP.
struct SecureChannel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<NIONegotiatedHTTPVersion<HTTP1WebSocketUpgradeChannel.Value, HTTP2StreamsChannel.Value>>
        let channel: any Channel
    }

    let context: NIOSSLContext
    let http1: ParsedHTTP1Channel
    let http2: HTTP2StreamsChannel
    /// How long the TLS handshake may take.
    let handshakeTimeout: Duration
    /// How long an HTTP/2 connection may stay open after the server's GOAWAY.
    let goAwayTimeout: Duration

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandlers(
                PlainHTTPRefusal(),
                NIOSSLServerHandler(context: self.context),
                TLSHandshakeDeadline(self.handshakeTimeout)
            )
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return channel.configureHTTP2AsyncSecureUpgrade { channel in
            self.http1.setup(channel: channel, logger: logger)
        } http2ConnectionInitializer: { channel in
            self.http2.setup(channel: channel, logger: logger).flatMapThrowing { value in
                try GoAwayDeadline.install(self.goAwayTimeout, in: channel.pipeline.syncOperations)
                return value
            }
        }
        .map { Value(negotiated: $0, channel: channel) }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http1_1(let http1):
                await self.http1.handle(value: http1, logger: logger)
            case .http2(let http2):
                await self.http2.handle(value: http2, logger: logger)
            }
        } catch {
            logger.debug("TLS or protocol negotiation failed", metadata: ["error": "\(error)"])
        }
    }

    /// The TLS context of a PEM certificate chain and key, offering h2 and http/1.1 by ALPN.
    static func context(certificate: String, key: String) throws -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw StartupError("The TLS certificate '\(certificate)' cannot be read as PEM (\(error)): check --tls-cert (WHARF_TLS_CERT).")
        }
        guard !chain.isEmpty else {
            throw StartupError("The TLS certificate '\(certificate)' holds no certificate: check --tls-cert (WHARF_TLS_CERT).")
        }
        let privateKey: NIOSSLPrivateKey
        do {
            privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        } catch {
            throw StartupError("The TLS key '\(key)' cannot be read as a PEM private key (\(error)): check --tls-key (WHARF_TLS_KEY).")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(privateKey)
        )
        configuration.applicationProtocols = NIOHTTP2SupportedALPNProtocols
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw StartupError("The TLS key '\(key)' does not fit the certificate '\(certificate)' (\(error)): check --tls-cert and --tls-key.")
        }
    }
}
