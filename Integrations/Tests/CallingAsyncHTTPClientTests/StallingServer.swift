import NIOCore
import NIOPosix

/// A server on 127.0.0.1 that answers every connection with a response head promising 100 body
/// bytes, sends 7 of them, and then nothing: a server stalled mid-body.
final class StallingServer: Sendable {
    private final class Stall: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer

        let written: AsyncStream<Void>.Continuation

        init(written: AsyncStream<Void>.Continuation) {
            self.written = written
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: text/plain\r\n\r\npartial"
            context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: head))).whenComplete { [written] _ in
                written.yield()
            }
        }
    }

    let port: Int
    /// One element each time the server has written its partial answer and stalled.
    let stalled: AsyncStream<Void>
    private let channel: any Channel

    init() async throws {
        let (stalled, written) = AsyncStream.makeStream(of: Void.self)
        self.stalled = stalled
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Stall(written: written)) }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        port = channel.localAddress?.port ?? 0
    }

    func stop() async {
        try? await channel.close()
    }
}
