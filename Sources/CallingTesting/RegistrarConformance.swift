import CallingCore

/// Checks that a `LineRegistrar` answers as the core relies on, against a real (test) server.
///
/// The core writes retries, failover, keepalive misses and rehoming once, for every registrar;
/// it relies on each answer being classified the same way. The suite registers a device and
/// checks, in order: discovery gives a primary; a registration is held at the server; a
/// keepalive succeeds; a keepalive after the server forgot the registration says "not found"
/// (or, for protocols whose keepalive registers again, succeeds and the server holds it again);
/// a keepalive while the server asks to slow down is retryable with the server's `Retry-After`;
/// a deregistration removes the registration, and a second one says nothing is left; a ping
/// follows the server down and up; a registration whose task is cancelled while the server stays
/// silent ends at once, as a failure. Each check must finish within the time limit.
///
/// ```swift
/// @Test func conforms() async throws {
///     let passed = try await RegistrarConformance(registrar: registrar, server: control).run()
///     #expect(passed.count == RegistrarConformance.checks.count)
/// }
/// ```
public struct RegistrarConformance: Sendable {
    /// The first check a registrar failed, and why.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The check's name, one of ``RegistrarConformance/checks``.
        public var check: String
        /// What the registrar or server did instead.
        public var reason: String

        /// The check and the reason.
        public var description: String { "registrar conformance: \(check): \(reason)" }
    }

    /// The checks, in the order they run.
    public static let checks = [
        "discovery", "device", "register", "keepalive", "forgotten registration", "slow down", "deregister", "deregister again", "ping",
        "cancellation",
    ]

    /// The registrar under test.
    public let registrar: any LineRegistrar
    /// Its server's controls.
    public let server: any ConformanceServer
    /// How long each check may take.
    public let timeLimit: Duration

    /// Creates the suite for `registrar`, whose server `server` steers.
    public init(registrar: any LineRegistrar, server: any ConformanceServer, timeLimit: Duration = .seconds(10)) {
        self.registrar = registrar
        self.server = server
        self.timeLimit = timeLimit
    }

    /// Runs every check, in order, until one fails.
    ///
    /// - Returns: The checks passed: all of ``checks``.
    /// - Throws: ``Failure`` for the first check that failed (the server's own errors as they are).
    @discardableResult
    public func run() async throws -> [String] {
        let registrar = registrar
        let server = server
        let primary = try await check("discovery") {
            guard let primary = try await registrar.discoverServers().primaries.first else { throw Violation("no primary server") }
            return primary
        }
        let device = try await check("device") { try await registrar.makeDevice() }
        let register = { @Sendable () async throws -> LineRegistration in
            let result = await registrar.register(device, at: primary)
            guard case .succeeded(let registration) = result.kind else { throw Violation("registering answered \(Self.describe(result))") }
            guard registration.device.server == primary else { throw Violation("registered at \(registration.device.server), not \(primary)") }
            guard !registration.device.deviceID.isEmpty, registration.keepaliveInterval > .zero else {
                throw Violation("the registration has no id or no keepalive interval")
            }
            guard try await server.holds(registration.device) else { throw Violation("the server does not hold the registration") }
            return registration
        }
        var registration = try await check("register") { try await register() }
        try await check("keepalive") { [registration] in
            let result = await registrar.keepalive(registration)
            guard case .succeeded = result.kind else { throw Violation("the keepalive answered \(Self.describe(result))") }
        }
        registration = try await check("forgotten registration") { [registration] in
            try await server.forgetRegistrations()
            let result = await registrar.keepalive(registration)
            switch result.kind {
            case .deviceNotFound:
                return try await register()
            case .succeeded where try await server.holds(registration.device):
                return registration
            default:
                throw Violation("a keepalive for a forgotten registration answered \(Self.describe(result)), not deviceNotFound")
            }
        }
        try await check("slow down") { [registration] in
            try await server.setSlowingDown(retryAfter: .seconds(7))
            let result = await registrar.keepalive(registration)
            try await server.setSlowingDown(retryAfter: nil)
            guard case .retryable(_, .seconds(7)?) = result.kind else {
                throw Violation("a keepalive answered \"slow down, Retry-After 7\" with \(Self.describe(result)), not retryable after 7 s")
            }
            let after = await registrar.keepalive(registration)
            guard case .succeeded = after.kind else { throw Violation("the keepalive after it answered \(Self.describe(after))") }
        }
        try await check("deregister") { [registration] in
            let result = await registrar.deregister(registration.device)
            guard case .succeeded = result.kind else { throw Violation("deregistering answered \(Self.describe(result))") }
            guard try await !server.holds(registration.device) else { throw Violation("the server still holds the registration") }
        }
        try await check("deregister again") { [registration] in
            let result = await registrar.deregister(registration.device)
            switch result.kind {
            case .succeeded, .deviceNotFound: break
            case .final(let error) where error.code == .notFound: break
            default: throw Violation("deregistering what is gone answered \(Self.describe(result)), not success or not found")
            }
        }
        try await check("ping") {
            guard await registrar.ping(primary, as: device) else { throw Violation("a ping of a server that is up said down") }
            try await server.setDown(true, primary)
            let down = await registrar.ping(primary, as: device)
            try await server.setDown(false, primary)
            guard !down else { throw Violation("a ping of a server that is down said up") }
            guard await registrar.ping(primary, as: device) else { throw Violation("a ping of a server back up said down") }
        }
        try await check("cancellation") {
            try await server.setSilent(true)
            let attempt = Task { await registrar.register(device, at: primary) }
            attempt.cancel()
            let result = await attempt.value
            try await server.setSilent(false)
            if case .succeeded = result.kind {
                throw Violation("a registration cancelled while the server was silent succeeded")
            }
        }
        return Self.checks
    }

    /// Why a check failed.
    private struct Violation: Error {
        let reason: String

        init(_ reason: String) {
            self.reason = reason
        }
    }

    /// Runs one check within the time limit, naming it in any failure.
    private func check<Value: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let limit = timeLimit
        do {
            return try await withThrowingTaskGroup(of: Value?.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                guard case .some(.some(let value)) = try await group.next() else {
                    throw Violation("no answer within \(limit)")
                }
                return value
            }
        } catch let violation as Violation {
            throw Failure(check: name, reason: violation.reason)
        } catch {
            throw Failure(check: name, reason: "threw \(error)")
        }
    }

    private static func describe<Success>(_ result: RegistrarResult<Success>) -> String {
        switch result.kind {
        case .succeeded: "succeeded"
        case .retryable(let error, let retryAfter): "retryable(\(error.code)\(retryAfter.map { ", retryAfter \($0)" } ?? ""))"
        case .final(let error): "final(\(error.code): \(error.detail))"
        case .deviceLimit(_, let error): "deviceLimit(\(error.code))"
        case .deviceNotFound(let error): "deviceNotFound(\(error.code))"
        }
    }
}
