import CallingAuth
import Foundation
import Testing

@Suite("Scope catalogue")
struct ScopeTests {
    @Test("the catalogue is exactly the documented list (Tests/Fixtures/SCOPES.txt), in order; regenerate with scripts/generate-scopes.py")
    func matchesTheList() throws {
        let list = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../Fixtures/SCOPES.txt").standardized,
            encoding: .utf8
        )
        let documented = list.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        #expect(documented.count == 121)
        #expect(Scope.catalogue.map(\.rawValue) == documented)
        #expect(Set(Scope.catalogue).count == Scope.catalogue.count)
    }

    @Test("constants name their scope")
    func constants() {
        #expect(Scope.sparkWebrtcCalling.rawValue == "spark:webrtc_calling")
        #expect(Scope.sparkAdminPeopleRead.rawValue == "spark-admin:people_read")
        #expect(Scope.identityOneTimePassword.rawValue == "Identity:one_time_password")
    }

    @Test("presets hold documented scopes; calling is Webex Calling's four")
    func presets() {
        #expect(Scope.calling.map(\.rawValue) == ["spark:webrtc_calling", "spark:calls_read", "spark:calls_write", "spark:xsi"])
        for (name, scopes) in Scope.presets {
            #expect(!scopes.isEmpty && scopes.allSatisfy(\.isDocumented), "\(name)")
        }
    }

    @Test("a list mixes presets and names, without duplicates, order kept; unknown names stay, marked undocumented")
    func parse() {
        let scopes = Scope.parse("spark:people_read calling spark:xsi spark:made_up")
        #expect(scopes.map(\.rawValue) == ["spark:people_read", "spark:webrtc_calling", "spark:calls_read", "spark:calls_write", "spark:xsi", "spark:made_up"])
        #expect(scopes.last?.isDocumented == false)
    }
}
