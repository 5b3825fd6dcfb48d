import CallingLoopback
import CallingTestSupport
import CallingTransport
import Foundation
import Testing

@Suite("URLSession transport over loopback HTTP", .timeLimit(.minutes(1)))
struct URLSessionTransportTests {
    let transport = URLSessionTransport(configuration: .init(timeout: .seconds(30)))

    @Test("sends method, headers and body, and returns status, headers and body")
    func roundTrip() async throws {
        let server = try LoopbackHTTPServer.start { request in
            HTTPResponse(
                status: 201,
                headers: [
                    "X-Echo-Method": request.method.rawValue, "X-Echo-Header": request.headers["x-custom"] ?? "-",
                    "X-Echo-Accept": request.headers["accept"] ?? "-",
                ],
                body: Data("\(request.url.path)?\(request.url.query ?? "")|".utf8) + (request.body ?? Data())
            )
        }
        defer { server.stop() }
        let response = try await transport.send(HTTPRequest(
            method: .put,
            url: server.baseURL.appending(path: "items/7").appending(queryItems: [URLQueryItem(name: "a", value: "1")]),
            headers: ["X-Custom": "value", "Accept": "a/b", "accept": "c/d"],
            body: Data("payload".utf8)
        ))
        #expect(response.status == 201)
        #expect(response.headers["x-echo-accept"] == "a/b,c/d", "repeated names arrive joined")
        #expect(response.headers["x-echo-method"] == "PUT")
        #expect(response.headers["X-ECHO-HEADER"] == "value")
        #expect(String(decoding: response.body, as: UTF8.self) == "/items/7?a=1|payload")
    }

    @Test("does not follow redirects")
    func noRedirects() async throws {
        let server = try LoopbackHTTPServer.start { request in
            request.url.path == "/start"
                ? HTTPResponse(status: 302, headers: ["Location": "/elsewhere"])
                : HTTPResponse(status: 200)
        }
        defer { server.stop() }
        let response = try await transport.send(HTTPRequest(method: .get, url: server.baseURL.appending(path: "start")))
        #expect(response.status == 302)
        #expect(response.headers["Location"] == "/elsewhere")
    }

    @Test("connection refused names the host and port")
    func connectionRefused() async throws {
        let server = try LoopbackHTTPServer.start { _ in HTTPResponse(status: 200) }
        let url = server.baseURL.appending(path: "x").appending(queryItems: [URLQueryItem(name: "code", value: "sekrit")])
        server.stop()
        let error = await #expect(throws: TransportError.self) {
            try await transport.send(HTTPRequest(method: .get, url: url))
        }
        #expect(error?.code == .connectionRefused)
        #expect(error?.host == "127.0.0.1")
        #expect(error?.message.contains("127.0.0.1:\(server.port)") == true)
        #expect(error?.description.contains("sekrit") == false)
    }

    @Test("a slow server times out with a clear error")
    func timeout() async throws {
        let server = try LoopbackHTTPServer.start { _ in
            try await Task.sleep(for: .seconds(3))
            return HTTPResponse(status: 200)
        }
        defer { server.stop() }
        let quick = URLSessionTransport(configuration: .init(timeout: .milliseconds(300)))
        let error = await #expect(throws: TransportError.self) {
            try await quick.send(HTTPRequest(method: .get, url: server.baseURL))
        }
        #expect(error?.code == .timedOut)
        #expect(error?.message.contains("127.0.0.1:\(server.port)") == true)
    }

    @Test("https to a port that speaks plain HTTP: the TLS handshake fails at once, and the error says so")
    func tlsToPlainHTTP() async throws {
        let server = try LoopbackHTTPServer.start { _ in HTTPResponse(status: 200) }
        defer { server.stop() }
        let error = await #expect(throws: TransportError.self) {
            try await URLSessionTransport(configuration: .init(timeout: .seconds(30))).send(
                HTTPRequest(method: .get, url: URL(string: "https://127.0.0.1:\(server.port)/")!)
            )
        }
        #expect(error?.code == .tlsFailed, "\(String(describing: error))")
    }

    @Test("URLSession failures map to codes that name the host")
    func errorMapping() {
        let cases: [(URLError.Code, TransportError.Code)] = [
            (.cannotConnectToHost, .connectionRefused), (.timedOut, .timedOut),
            (.cannotFindHost, .hostNotFound), (.dnsLookupFailed, .hostNotFound),
            (.networkConnectionLost, .connectionLost), (.cancelled, .cancelled), (.badServerResponse, .other),
            (.secureConnectionFailed, .tlsFailed), (.serverCertificateUntrusted, .tlsFailed),
        ]
        for (urlCode, expected) in cases {
            let error = URLSessionTransport.transportError(for: URLError(urlCode), host: "h.example", port: 8443)
            #expect(error.code == expected)
            #expect(error.host == "h.example")
            #expect(error.message.contains("h.example"))
        }
    }

    @Test("many concurrent requests are all answered")
    func concurrency() async throws {
        let server = try LoopbackHTTPServer.start { request in
            HTTPResponse(status: 200, body: Data(request.url.path.utf8))
        }
        defer { server.stop() }
        let paths = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let response = try await transport.send(HTTPRequest(method: .get, url: server.baseURL.appending(path: "n\(index)")))
                    return String(decoding: response.body, as: UTF8.self)
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(paths == Set((0..<40).map { "/n\($0)" }))
    }

    @Test(
        "a body past the limit is refused as it streams in, not buffered: endless, or under a 1 GB Content-Length (#20 case 5)",
        arguments: [nil, 1 << 30] as [Int?]
    )
    func endlessAnswer(declaredLength: Int?) async throws {
        let server = try EndlessAnswerServer.start(declaredLength: declaredLength)
        defer { server.stop() }
        let error = await #expect(throws: TransportError.self) {
            try await transport.send(HTTPRequest(method: .get, url: server.baseURL))
        }
        #expect(error?.code == .responseTooLarge)
        #expect(error?.message.contains("longer than \(InboundLimits.responseBodyBytes) bytes") == true)
        // The body has no end, so only a client counting it as it streams in can refuse it; the
        // server's count says the client let go long before the gigabyte.
        #expect(server.bodyBytesWritten < 1 << 30, "the server wrote \(server.bodyBytesWritten) bytes before the client let go")
    }

    @Test("a body of exactly the limit arrives whole; one byte more is refused")
    func limitIsInclusive() async throws {
        let server = try LoopbackHTTPServer.start { request in
            HTTPResponse(status: 200, body: Data(count: request.url.path == "/at" ? 1000 : 1001))
        }
        defer { server.stop() }
        let small = URLSessionTransport(configuration: .init(timeout: .seconds(30), maxResponseBytes: 1000))
        #expect(try await small.send(HTTPRequest(method: .get, url: server.baseURL.appending(path: "at"))).body.count == 1000)
        let error = await #expect(throws: TransportError.self) {
            try await small.send(HTTPRequest(method: .get, url: server.baseURL.appending(path: "past")))
        }
        #expect(error?.code == .responseTooLarge)
    }
}
