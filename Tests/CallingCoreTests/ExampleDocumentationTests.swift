import Foundation
import Testing

/// The README and the DocC article show the example registrar of `Examples/` (built and tested
/// there, as a third party builds one) character for character.
@Suite("README: custom registrar")
struct ExampleDocumentationTests {
    @Test("the README and the DocC article show Examples/' LabRegistrar, character for character", arguments: [
        "README.md", "Sources/CallingCore/CallingCore.docc/WritingARegistrar.md",
    ])
    func documentationMatches(page: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../..").standardized
        let source = try String(contentsOf: root.appending(path: "Examples/Sources/LabRegistrar/LabRegistrar.swift"), encoding: .utf8)
        let text = try String(contentsOf: root.appending(path: page), encoding: .utf8)
        let example = try #require(source.components(separatedBy: "// README: custom registrar\n").last?
            .components(separatedBy: "// README: end").first)
        #expect(text.contains("```swift\n" + example + "```"), "\(page)'s custom registrar differs from Examples/Sources/LabRegistrar/LabRegistrar.swift")
    }
}
