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

/// Streaming SHA-256 of a file, in 1 MiB reads into one buffer (memory stays flat whatever the size).
public enum FileHash {
    public static func sha256(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RunError("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return try sha256(fd: fd, path: path)
    }

    /// The SHA-256 of what `fd` reads to its end; `path` names errors.
    static func sha256(fd: Int32, path: String) throws -> String {
        var hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw RunError("cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return hex(hasher.finalize())
    }

    /// Lower-case hex of a digest.
    static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 15)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
