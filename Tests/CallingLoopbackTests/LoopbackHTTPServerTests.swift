import CallingLoopback
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

@Suite("Loopback HTTP server", .timeLimit(.minutes(1)))
struct LoopbackHTTPServerTests {
    static func echo(_ request: HTTPRequest) -> HTTPResponse {
        HTTPResponse(status: 200, body: Data("\(request.method) \(request.url.path) \(request.body?.count ?? 0)".utf8))
    }

    func start(_ configuration: LoopbackHTTPServer.Configuration = .defaults) throws -> LoopbackHTTPServer {
        try LoopbackHTTPServer.start(configuration: configuration) { Self.echo($0) }
    }

    /// Proves the server still answers a well-formed request on a new connection.
    func expectStillServing(_ server: LoopbackHTTPServer) async throws {
        let connection = try await RawConnection.open(port: server.port)
        await connection.send("GET /alive HTTP/1.1\r\nConnection: close\r\n\r\n")
        let answer = await connection.readToEnd()
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(answer.hasSuffix("GET /alive 0"))
    }

    @Test("binds a free port on 127.0.0.1 and reports it")
    func freePort() async throws {
        let server = try start()
        defer { server.stop() }
        #expect(server.port != 0)
        #expect(server.baseURL.absoluteString == "http://127.0.0.1:\(server.port)")
        try await expectStillServing(server)
    }

    @Test("a taken port gives an error that names it")
    func portTaken() async throws {
        let server = try start()
        defer { server.stop() }
        let error = #expect(throws: LoopbackServerError.self) {
            try LoopbackHTTPServer.start(configuration: .init(port: server.port)) { Self.echo($0) }
        }
        #expect(error?.message.contains("127.0.0.1:\(server.port)") == true)
    }

    @Test("keeps a connection alive across requests, pipelined ones included")
    func keepAlive() async throws {
        let server = try start()
        defer { server.stop() }
        let connection = try await RawConnection.open(port: server.port)
        await connection.send("GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz")
        let both = await connection.readResponses(2)
        #expect(both.contains("GET /a 0"))
        #expect(both.contains("POST /b 3"))
        await connection.send("GET /c HTTP/1.1\r\nConnection: close\r\n\r\n")
        let last = await connection.readToEnd()
        #expect(last.contains("Connection: close\r\n"))
        #expect(last.hasSuffix("GET /c 0"))
    }

    @Test("garbage bytes get 400 and a closed connection; the server keeps serving")
    func garbage() async throws {
        let server = try start()
        defer { server.stop() }
        let connection = try await RawConnection.open(port: server.port)
        await connection.send([0x16, 0x03, 0x01, 0x00, 0xFF, 0x13, 0x0D, 0x0A, 0x0D, 0x0A])
        #expect(await connection.readToEnd().hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        try await expectStillServing(server)
    }

    @Test("a header line without a colon gets 400")
    func headerWithoutColon() async throws {
        let server = try start()
        defer { server.stop() }
        let connection = try await RawConnection.open(port: server.port)
        await connection.send("GET / HTTP/1.1\r\nthis line has no colon\r\n\r\n")
        #expect(await connection.readToEnd().hasPrefix("HTTP/1.1 400 "))
        try await expectStillServing(server)
    }

    @Test("a 10 MB body gets 413 without being read")
    func hugeBody() async throws {
        let server = try start()
        defer { server.stop() }
        let connection = try await RawConnection.open(port: server.port)
        await connection.send("POST /upload HTTP/1.1\r\nContent-Length: \(10 * 1024 * 1024)\r\n\r\n")
        await connection.send([UInt8](repeating: 0x61, count: 64 * 1024))
        #expect(await connection.readToEnd().hasPrefix("HTTP/1.1 413 "))
        try await expectStillServing(server)
    }

    @Test("oversized headers get 431")
    func hugeHeaders() async throws {
        let server = try start()
        defer { server.stop() }
        let connection = try await RawConnection.open(port: server.port)
        await connection.send("GET / HTTP/1.1\r\nX-Big: \(String(repeating: "b", count: 20_000))\r\n\r\n")
        #expect(await connection.readToEnd().hasPrefix("HTTP/1.1 431 "))
        try await expectStillServing(server)
    }

    @Test("a request that never finishes gets 408 after the request timeout")
    func neverFinishes() async throws {
        let server = try start(.init(requestTimeout: .milliseconds(300)))
        defer { server.stop() }
        let connection = try await RawConnection.open(port: server.port)
        await connection.send("POST /slow HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc")
        #expect(await connection.readToEnd().hasPrefix("HTTP/1.1 408 "))
        try await expectStillServing(server)
    }

    @Test("an idle connection is closed after the idle timeout, without an answer")
    func idle() async throws {
        let server = try start(.init(idleTimeout: .seconds(1)))
        defer { server.stop() }
        let connection = try await RawConnection.open(port: server.port)
        #expect(await connection.readToEnd() == "")
        try await expectStillServing(server)
    }

    @Test("a handler that throws is answered 500")
    func handlerError() async throws {
        struct Boom: Error {}
        let server = try LoopbackHTTPServer.start { _ in throw Boom() }
        defer { server.stop() }
        let connection = try await RawConnection.open(port: server.port)
        await connection.send("GET / HTTP/1.1\r\n\r\n")
        #expect(await connection.readResponses(1).hasPrefix("HTTP/1.1 500 "))
    }

    @Test("at the limit an idle connection makes room, so idle connections never lock a request out")
    func idleConnectionsMakeRoom() async throws {
        let server = try start(.init(maxConnections: 2))
        defer { server.stop() }
        var held: [RawConnection] = []
        for _ in 0..<2 { held.append(try await RawConnection.open(port: server.port)) }
        for connection in held {
            await connection.send("GET /held HTTP/1.1\r\n\r\n")
            #expect(await connection.readResponses(1).contains("GET /held 0"))
        }
        try await expectStillServing(server)
    }

    @Test("connections past the limit while every one is being answered get 503")
    func connectionLimit() async throws {
        let answering = AsyncStream.makeStream(of: Void.self)
        let release = Gate()
        let server = try LoopbackHTTPServer.start(configuration: .init(maxConnections: 2)) { request in
            answering.continuation.yield()
            await release.wait()
            return Self.echo(request)
        }
        defer { server.stop() }
        var held: [RawConnection] = []
        for _ in 0..<2 {
            let connection = try await RawConnection.open(port: server.port)
            await connection.send("GET /held HTTP/1.1\r\n\r\n")
            held.append(connection)
        }
        var entered = answering.stream.makeAsyncIterator()
        for _ in 0..<2 {
            await entered.next()
        }
        let extra = try await RawConnection.open(port: server.port)
        #expect(await extra.readToEnd().hasPrefix("HTTP/1.1 503 "))
        release.open()
        for connection in held {
            #expect(await connection.readResponses(1).contains("GET /held"))
        }
    }

    @Test("HEAD answers carry the length but no body")
    func head() async throws {
        let server = try start()
        defer { server.stop() }
        let connection = try await RawConnection.open(port: server.port)
        await connection.send("HEAD /h HTTP/1.1\r\nConnection: close\r\n\r\n")
        let answer = await connection.readToEnd()
        #expect(answer.contains("Content-Length: 9\r\n"))  // "HEAD /h 0"
        #expect(answer.hasSuffix("\r\n\r\n"))
    }

    @Test("stop closes open connections and refuses new ones")
    func stop() async throws {
        let server = try start()
        let open = try await RawConnection.open(port: server.port)
        server.stop()
        #expect(await open.readToEnd() == "")
        await #expect(throws: POSIXError.self) { try await RawConnection.open(port: server.port) }
        server.stop()
    }
}
