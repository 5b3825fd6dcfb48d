import CallingKamailio
import CallingTestSupport
import Foundation
import Testing

/// The README's SIP example: it registers with Kamailio, and the README shows exactly this code.
@Suite("README: SIP lines", .timeLimit(.minutes(1)))
struct SIPQuickStartTests {
    @Test(
        "the example registers a line over TCP and reads the granted lifetime",
        .enabled(if: KamailioRegistrar.available, "Kamailio is not installed (apt-get install kamailio); .ci/run installs it")
    )
    func runs() async throws {
        let kamailio = try KamailioRegistrar(defines: ["MAX_EXPIRES=600"])
        defer { kamailio.stop() }
        #expect(try await sipQuickStart(addressOfRecord: "sip:alice@127.0.0.1:\(kamailio.port)", passwordFromYourVault: "alice-secret") == .seconds(600))
        #expect(try kamailio.contacts(of: "alice").isEmpty)
    }

    @Test("the README shows this example, character for character")
    func readmeMatches() throws {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let source = try String(contentsOf: here.appending(path: "SIPQuickStart.swift"), encoding: .utf8)
        let readme = try String(contentsOf: here.appending(path: "../../../README.md").standardized, encoding: .utf8)
        let body = try #require(source.components(separatedBy: "    // README: SIP lines\n").last?.components(separatedBy: "    // README: end").first)
        let example = body.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasPrefix("    ") ? String($0.dropFirst(4)) : String($0) }
            .joined(separator: "\n")
        #expect(readme.contains("```swift\n" + example + "```"), "README.md's SIP example differs from SIPQuickStart.swift")
    }
}
