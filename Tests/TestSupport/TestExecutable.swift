import Foundation

/// Writes executables (tool wrappers on PATH, mocks) so that running them never fails with ETXTBSY.
///
/// A file this process writes is open for writing for a moment; a child that another test thread
/// spawns in that moment inherits the descriptor and keeps it while it lives (moto_server, sshd), and
/// then executing the file fails with "Text file busy". So the text is written to a side file, and a
/// short-lived `install` process creates the executable: only that process ever opens it for writing.
public enum TestExecutable {
    public static func install(_ text: String, at path: String) throws {
        let staged = path + ".staged-\(UUID().uuidString.prefix(8))"
        try text.write(toFile: staged, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: staged) }
        let result = CleanProcess.run("/usr/bin/install", ["-m", "0755", "--", staged, path])
        guard result.status == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "install \(path): \(result.stderr)"])
        }
    }
}
