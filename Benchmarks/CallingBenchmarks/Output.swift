import Foundation

enum Output {
    static func warn(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func checkUnused(_ options: [String: String]) throws {
        if let name = options.keys.sorted().first {
            throw BenchmarkError("unknown option --\(name); run `calling-bench --help`")
        }
    }
}
