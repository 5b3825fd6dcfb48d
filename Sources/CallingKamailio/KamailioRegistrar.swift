#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The project's Kamailio registrar (its config and start/stop script are this target's
/// `Registrar` resources), started on its own port and run directory for one test or benchmark,
/// and stopped after it.
public struct KamailioRegistrar: Sendable {
    private static let script = Bundle.module.url(forResource: "registrar", withExtension: "sh", subdirectory: "Registrar")?.path

    /// Whether the tests can run: Kamailio is installed, or CI requires it (`CALLING_REQUIRE_KAMAILIO=1`
    /// makes a missing Kamailio a failure instead of a skip).
    public static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/sbin/kamailio")
            || ProcessInfo.processInfo.environment["CALLING_REQUIRE_KAMAILIO"] == "1"
    }

    /// The UDP and TCP port it listens on, on 127.0.0.1.
    public let port: UInt16
    /// Its run directory (control socket, pid file, log).
    public let directory: String
    private let defines: [String]

    /// Starts a registrar; `defines` are `NAME=VALUE` pairs for the config (`MIN_EXPIRES=2`, …).
    ///
    /// The port is picked below Linux's ephemeral range (32768 and up), where the other tests'
    /// listeners and connections get theirs; a port another program holds is tried again with
    /// another, a few times.
    public init(defines: [String] = []) throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "sip-registrar-\(UUID().uuidString)").path
        var attempt = 1
        while true {
            let port = UInt16.random(in: 20_000...32_000)
            do {
                try Self.start(port: port, directory: directory, defines: defines)
                (self.port, self.directory, self.defines) = (port, directory, defines)
                return
            } catch let error as CocoaError where attempt < 5 && "\(error)".contains("Address already in use") {
                _ = try? Self.run(["stop", directory])
                attempt += 1
            }
        }
    }

    /// Starts the registrar again on the same port, with an empty binding table.
    public func start() throws {
        try Self.start(port: port, directory: directory, defines: defines)
    }

    private static func start(port: UInt16, directory: String, defines: [String]) throws {
        try run(["start", String(port), directory] + defines.flatMap { ["-A", $0] })
    }

    /// What the registrar logged (one line per REGISTER and per challenge).
    public var log: String {
        (try? String(contentsOfFile: directory + "/kamailio.log", encoding: .utf8)) ?? ""
    }

    /// Stops it and waits until it is gone.
    public func stop() {
        _ = try? Self.run(["stop", directory])
    }

    /// Kamailio's own view of its bindings (`kamcmd ul.dump`).
    public func bindings() throws -> String {
        try Self.run(["dump", directory])
    }

    /// Sets a switch of the config's `ctl` table: `maint` (503 with `Retry-After: retry_after`
    /// to every REGISTER), `retry_after`, `silent` (no answer to a REGISTER).
    public func set(_ name: String, to value: Int) throws {
        _ = try Self.run(["rpc", directory, "htable.seti", "ctl", name, String(value)])
    }

    /// Removes every binding of `user`, as a registrar restarted without its table does.
    public func forget(_ user: String) throws {
        _ = try Self.run(["rpc", directory, "ul.rm", "location", user])
    }

    /// Runs the script with `posix_spawn`, an empty signal mask and default signal handling (a
    /// test runner's blocked signals would otherwise reach the registrar, which then ignores
    /// SIGTERM), its output going to a file (the registrar it starts outlives it, so a pipe would
    /// never end), and waits for it with `waitpid`.
    @discardableResult
    private static func run(_ arguments: [String]) throws -> String {
        guard let script else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "registrar.sh is missing from CallingKamailio's resources; rebuild the package"])
        }
        let log = FileManager.default.temporaryDirectory.appending(path: "registrar-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        var all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = (["/bin/bash", script] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "posix_spawn: \(spawned)"]) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "registrar.sh \(arguments.first ?? "") failed: \(text)"])
        }
        return text
    }
}

extension KamailioRegistrar {
    /// The contacts bound to `user`, from `ul.dump`'s `Address:` lines of that AoR.
    public func contacts(of user: String) throws -> [String] {
        var contacts: [String] = []
        var inUser = false
        for line in try bindings().split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("AoR:") {
                inUser = text == "AoR: \(user)"
            } else if inUser, text.hasPrefix("Address:") {
                contacts.append(text.dropFirst("Address:".count).trimmingCharacters(in: .whitespaces))
            }
        }
        return contacts
    }
}

extension KamailioRegistrar {
    /// The fields `ul.dump` lists for one bound contact (`Expires`, `Call-ID`, `CSeq`, …).
    public func binding(_ contact: String) throws -> [String: String] {
        var fields: [String: String] = [:]
        var inContact = false
        for line in try bindings().split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard let colon = text.firstIndex(of: ":") else { continue }
            let name = String(text[..<colon])
            let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "Address" || name == "AoR" {
                inContact = name == "Address" && value == contact
            } else if inContact {
                fields[name] = value
            }
        }
        return fields
    }

    /// The CSeq of the contact's last REGISTER, as the registrar stored it.
    public func sequence(of contact: String) throws -> Int {
        try Int(binding(contact)["CSeq"] ?? "") ?? -1
    }
}
