import ExchangeHTTP
import ExchangeProtocol
import HTTPTypes
import NIOCore
import NIOHTTPTypes
import NIOSSL

/// Hands the routes what the connection knows of its client: every request head that comes in
/// loses the `X-Gateway-Client-Certificate-*` and `X-Gateway-Source-Address` headers its sender
/// wrote, and gains the ones of the certificate presented on this connection, if any
/// (`ClientCertificate`), and of the address it comes from (`SourceAddress`). The routes compare
/// them with the peer's pin (`peers.X.certificate`) and networks (`peers.X.from`) before anything
/// else of the request is taken. On a listener without TLS no certificate is added, so a pin is
/// never met there.
final class ClientCertificateHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private static let sha256 = HTTPField.Name(ClientCertificate.sha256Header)!
    private static let commonName = HTTPField.Name(ClientCertificate.commonNameHeader)!
    private static let source = HTTPField.Name(SourceAddress.header)!

    /// The connection's certificate, read once at its first request (nil: none presented).
    private var presented: ClientCertificate??
    /// The address the connection comes from, read once at its first request.
    private var address: String??

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        head.headerFields[Self.sha256] = nil
        head.headerFields[Self.commonName] = nil
        if address == nil { address = .some(context.channel.remoteAddress?.ipAddress.flatMap(SourceAddress.init)?.description) }
        head.headerFields[Self.source] = address ?? nil
        if presented == nil {
            let certificate = try? context.pipeline.syncOperations.nioSSL_peerCertificate()
            presented = .some(certificate.flatMap { try? ClientCertificate($0) })
        }
        if let certificate = presented ?? nil {
            head.headerFields[Self.sha256] = certificate.sha256
            if let name = certificate.commonName { head.headerFields[Self.commonName] = name }
        }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}
