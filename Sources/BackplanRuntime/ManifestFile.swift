import BackplanCore
import Foundation

/// `MANIFEST.sha256`, read and written as bytes the way `sha256sum` (coreutils 9.1) writes it: one
/// `HASH  PATH` line per file, paths relative to the snapshot folder (`data/webui.db`), sorted by the
/// path's bytes; a path holding a backslash, a line break or a carriage return is written escaped (the
/// line starts with `\`, then `\\`, `\n` and `\r` in the path). A path that is not UTF-8 keeps its bytes
/// (`PathBytes`). Both executors write it; both verify it.
enum ManifestFile {
    struct Entry: Hashable {
        /// The path as the file names it (escapes decoded; a `PathBytes` string).
        var path: String
        var sha256: String
        /// The line started with `\` (sha256sum's form for names holding `\`, a line break or `\r`).
        var escaped: Bool
    }

    /// The entries of `directory/MANIFEST.sha256`, and the numbers of the lines that are not `HASH  PATH`.
    static func entries(in directory: String) throws -> (entries: [Entry], badLines: [Int]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + SnapshotLayout.manifestName))
        return data.withUnsafeBytes { raw in
            var entries: [Entry] = []
            var bad: [Int] = []
            for (index, line) in raw.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).enumerated() {
                if let entry = parse(line) { entries.append(entry) } else { bad.append(index + 1) }
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
        return Entry(path: PathBytes.string(path), sha256: String(decoding: hash, as: UTF8.self).lowercased(), escaped: escaped)
    }

    /// The file's bytes for `hashes` (path → hex SHA-256), sorted by the paths' bytes as written
    /// (escaped), like the job script's `sort -k 2` in the C locale.
    static func data(_ hashes: some Sequence<(path: String, sha256: String)>) -> Data {
        let lines = hashes.map { line(hash: $0.sha256, path: PathBytes.bytes($0.path)) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
        var out = Data()
        for line in lines { out += line.text }
        return out
    }

    /// A `sha256sum` line (with its `\n`) and its sort key, the path as written.
    static func line(hash: String, path: [UInt8]) -> (key: [UInt8], text: [UInt8]) {
        let special: Set<UInt8> = [UInt8(ascii: "\\"), UInt8(ascii: "\n"), UInt8(ascii: "\r")]
        guard path.contains(where: special.contains) else { return (path, Array(hash.utf8) + [32, 32] + path + [10]) }
        var escapedPath: [UInt8] = []
        for byte in path {
            switch byte {
            case UInt8(ascii: "\\"): escapedPath += Array(#"\\"#.utf8)
            case UInt8(ascii: "\n"): escapedPath += Array(#"\n"#.utf8)
            case UInt8(ascii: "\r"): escapedPath += Array(#"\r"#.utf8)
            default: escapedPath.append(byte)
            }
        }
        return (escapedPath, [UInt8(ascii: "\\")] + Array(hash.utf8) + [32, 32] + escapedPath + [10])
    }

    /// sha256sum's escapes: `\\` is a backslash, `\n` a line break, `\r` a carriage return.
    static func unescape(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var pending = false
        for byte in bytes {
            if pending {
                out.append(byte == UInt8(ascii: "n") ? UInt8(ascii: "\n") : byte == UInt8(ascii: "r") ? UInt8(ascii: "\r") : byte)
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
