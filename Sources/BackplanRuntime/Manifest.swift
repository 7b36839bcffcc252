import Crypto
import Foundation

/// `MANIFEST.sha256`: `sha256sum -c` format, paths relative to the snapshot folder (`data/webui.db`),
/// sorted by byte order. Both executors write it; both verify it.
public struct Manifest: Sendable, Hashable {
    /// Hex SHA-256 by relative path.
    public var hashes: [String: String]

    public init(hashes: [String: String] = [:]) { self.hashes = hashes }

    /// The file's text: one `HASH  PATH` line per file, sorted by the path's bytes.
    public func text() -> String {
        hashes.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { "\(hashes[$0]!)  \($0)\n" }.joined()
    }

    /// Parses `sha256sum` output; lines it cannot read are returned as errors.
    public static func parse(_ text: String) -> (manifest: Manifest, badLines: [Int]) {
        var hashes: [String: String] = [:]
        var bad: [Int] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].count == 64, parts[1].hasPrefix(" ") else {
                bad.append(index + 1)
                continue
            }
            hashes[String(parts[1].dropFirst())] = String(parts[0])
        }
        return (Manifest(hashes: hashes), bad)
    }

    public static func read(from directory: String) throws -> Manifest {
        parse(try String(contentsOfFile: "\(directory)/\(SnapshotLayout.manifestName)", encoding: .utf8)).manifest
    }
}

/// Streaming SHA-256 of a file, in 1 MiB reads (memory stays flat whatever the size).
public enum FileHash {
    public static func sha256(_ path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
