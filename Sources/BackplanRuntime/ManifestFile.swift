import Foundation

/// A `MANIFEST.sha256` read as bytes, line by line (tens of thousands of lines: no `String` splitting).
enum ManifestFile {
    struct Entry: Hashable {
        /// The path as the file names it (an escaped line's `\\` and `\n` decoded).
        var path: String
        var sha256: String
        /// The line started with `\` (sha256sum's form for names holding a backslash or a line break).
        var escaped: Bool
    }

    /// The entries of `directory/MANIFEST.sha256`, and how many lines are not `HASH  PATH`.
    static func entries(in directory: String) throws -> (entries: [Entry], badLines: Int) {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + SnapshotLayout.manifestName))
        return data.withUnsafeBytes { raw in
            var entries: [Entry] = []
            var bad = 0
            for line in raw.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
                if let entry = parse(line) { entries.append(entry) } else { bad += 1 }
            }
            return (entries, bad)
        }
    }

    static func parse(_ line: Slice<UnsafeRawBufferPointer>) -> Entry? {
        let escaped = line.first == UInt8(ascii: "\\")
        let body = escaped ? line.dropFirst() : line
        guard body.count > 66 else { return nil }
        let hashEnd = body.index(body.startIndex, offsetBy: 64)
        guard body[hashEnd] == UInt8(ascii: " "), body[hashEnd + 1] == UInt8(ascii: " ") else { return nil }
        let hash = body[body.startIndex..<hashEnd]
        guard hash.allSatisfy({ (48...57).contains($0) || (97...102).contains($0 | 0x20) }) else { return nil }
        var path = Array(body[(hashEnd + 2)...])
        if escaped { path = unescape(path) }
        return Entry(path: String(decoding: path, as: UTF8.self), sha256: String(decoding: hash, as: UTF8.self), escaped: escaped)
    }

    /// sha256sum's escapes: `\\` is a backslash, `\n` a line break.
    static func unescape(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var pending = false
        for byte in bytes {
            if pending {
                out.append(byte == UInt8(ascii: "n") ? UInt8(ascii: "\n") : byte)
                pending = false
            } else if byte == UInt8(ascii: "\\") {
                pending = true
            } else {
                out.append(byte)
            }
        }
        return out
    }
}
