import ARMRequests
import ControlPlane
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Answers what never becomes a request with ARM's error body, then closes the connection: a request
/// the HTTP decoder refuses (a header flood gets 431, a malformed request line or header 400) and a
/// request that has not arrived whole within `deadline` of the server starting to wait for it (408: a
/// slow client cannot hold a connection by trickling bytes). Without it the decoder's errors would get
/// Hummingbird's empty 400 and a slow client a bare close.
///
/// It sits after the HTTP codec and before Hummingbird's request handling, and counts the requests that
/// passed and the responses that went out, so that its answer never interleaves with one of those: it
/// answers at once when no response is owed, after the owed ones when a complete request still awaits
/// its own, and only closes when a response is being written or the failing request was answered. A
/// deadline passing on a kept-alive connection between requests only closes it.
final class RequestGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let deadline: TimeAmount
    private var timer: Scheduled<Void>?
    private var headsIn = 0, endsIn = 0, headsOut = 0, endsOut = 0
    /// The refusal to send once the responses owed before it are written.
    private var pending: ARMError?
    private var refused = false

    init(deadline: TimeAmount) { self.deadline = deadline }

    func handlerAdded(context: ChannelHandlerContext) { arm(context) }

    func handlerRemoved(context: ChannelHandlerContext) { timer?.cancel() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused, pending == nil else { return }  // nothing after a refused request is served
        switch unwrapInboundIn(data) {
        case .head: headsIn += 1
        case .body: break
        case .end:
            endsIn += 1
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parserError = error as? HTTPParserError {
            refuse(context, Self.armError(parserError))
        } else if error is HTTP1TypeConversionError {
            refuse(context, ARMError(.badRequest, "InvalidRequest", "The request line is not valid: \(error)."))
        } else {
            context.fireErrorCaught(error)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !refused else {
            promise?.fail(ChannelError.ioOnClosedChannel)  // the refusal was the connection's last response
            return
        }
        switch unwrapOutboundIn(data) {
        case .head: headsOut += 1
        case .body: break
        case .end:
            endsOut += 1
            context.write(data, promise: promise)
            if let error = pending, endsOut == endsIn {
                send(context, error)
            } else {
                arm(context)
            }
            return
        }
        context.write(data, promise: promise)
    }

    /// What the decoder's error means for the client, in ARM's words.
    static func armError(_ error: HTTPParserError) -> ARMError {
        switch error {
        case .headerOverflow:
            ARMError(.requestHeaderFieldsTooLarge, "RequestHeaderFieldsTooLarge",
                "The request line and headers are larger than \(RequestLimits.headerBytes) bytes or more than \(RequestLimits.headerFields) fields.")
        default:
            ARMError(.badRequest, "InvalidRequest", "The request is not valid HTTP/1.1: \(error).")
        }
    }

    static let timedOut = ARMError(.requestTimeout, "RequestTimeout", "The request did not arrive whole within \(RequestLimits.requestSeconds) seconds.")

    private func refuse(_ context: ChannelHandlerContext, _ error: ARMError) {
        guard !refused, pending == nil else { return }
        timer?.cancel()
        if headsOut > endsOut {
            close(context)  // a response is half written: it cannot be followed by another
        } else if endsIn > endsOut {
            pending = error  // complete requests await their responses first
        } else if headsIn > endsOut {
            send(context, error)  // the failing request, unanswered
        } else if headsIn == endsIn {
            // Between requests. A kept-alive connection that falls silent is closed without a word: a
            // client's next request on it must not read an unasked-for 408 as its answer.
            if error == Self.timedOut && endsOut > 0 { close(context) } else { send(context, error) }
        } else {
            close(context)  // the failing request was answered already
        }
    }

    private func send(_ context: ChannelHandlerContext, _ error: ARMError) {
        refused = true
        pending = nil
        let body = ByteBuffer(bytes: JSON.encode(error.body, pretty: false))
        let fields: HTTPFields = [
            .contentType: ARMService.jsonType, .contentLength: String(body.readableBytes), .connection: "close",
        ]
        context.write(wrapOutboundOut(.head(HTTPResponse(status: error.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    private func close(_ context: ChannelHandlerContext) {
        refused = true
        context.close(promise: nil)
    }

    private func arm(_ context: ChannelHandlerContext) {
        timer?.cancel()
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: deadline) { handler.value.refuse(bound.value, Self.timedOut) }
    }
}
