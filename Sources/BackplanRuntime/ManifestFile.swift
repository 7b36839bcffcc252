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
        var upper = false
        for byte in hash {
            switch byte {
            case 48...57, 97...102: continue
            case 65...70: upper = true
            default: return nil
            }
        }
        let pathBytes = body[(hashEnd + 2)...]
        let path = escaped ? PathBytes.string(unescape(Array(pathBytes))) : PathBytes.string(pathBytes)
        let text = String(decoding: hash, as: UTF8.self)
        return Entry(path: path, sha256: upper ? text.lowercased() : text, escaped: escaped)
    }

    /// The file's bytes for `hashes` (path → hex SHA-256), sorted by the paths' bytes as written
    /// (escaped), like the job script's `sort -k 2` in the C locale.
    static func data(_ hashes: some Sequence<(path: String, sha256: String)>) -> Data {
        var lines = hashes.map { line(hash: $0.sha256, path: PathBytes.bytes($0.path)) }
        lines.sort { precedes($0.key, $1.key) }
        var size = 0
        for line in lines { size += line.text.count }
        var out = Data(capacity: size)
        for line in lines { out.append(contentsOf: line.text) }
        return out
    }

    /// Byte order of two keys (memcmp, then the shorter first).
    static func precedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let common = min(a.count, b.count)
        let order = common == 0 ? 0 : a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in memcmp(a.baseAddress!, b.baseAddress!, common) }
        }
        return order != 0 ? order < 0 : a.count < b.count
    }

    /// A `sha256sum` line (with its `\n`) and its sort key, the path as written.
    static func line(hash: String, path: [UInt8]) -> (key: [UInt8], text: [UInt8]) {
        func isSpecial(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") }
        guard path.contains(where: isSpecial) else {
            var text: [UInt8] = []
            text.reserveCapacity(hash.utf8.count + path.count + 3)
            text.append(contentsOf: hash.utf8)
            text.append(32)
            text.append(32)
            text.append(contentsOf: path)
            text.append(10)
            return (path, text)
        }
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
