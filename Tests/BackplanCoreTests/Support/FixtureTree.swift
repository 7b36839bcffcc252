import Foundation

/// A temp folder for one test, removed by `remove()`; holds copies of the shared fixtures.
struct FixtureTree {
    /// The repository's read-only copy of a real Open WebUI 0.12.4 data dir (never written to).
    static let sharedDataDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/openwebui-0.12.4/data").path

    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path + "/backplan-detect-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base
    }

    /// Writes `text` at `relative` (creating folders).
    func write(_ relative: String, _ text: String) throws {
        try write(relative, bytes: Array(text.utf8))
    }

    func write(_ relative: String, bytes: [UInt8]) throws {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
    }

    /// Copies the shared data dir to `relative` and makes the copy writable (the shared one is read-only).
    func copyData(to relative: String) throws {
        let target = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.sharedDataDir, toPath: target)
        let enumerator = FileManager.default.enumerator(atPath: target)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target)
        while let item = enumerator?.nextObject() as? String {
            let full = target + "/" + item
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
            try FileManager.default.setAttributes([.posixPermissions: isDirectory.boolValue ? 0o755 : 0o644],
                                                  ofItemAtPath: full)
        }
    }

    func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: path + "/" + relative)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
