import BackplanCore
import Crypto
import Foundation

/// Streaming SHA-256 of a file, in 1 MiB reads into one buffer (memory stays flat whatever the size).
public enum FileHash {
    public static func sha256(_ path: String) throws -> String {
        let fd = PathBytes.withCString(path) { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw RunError("cannot read \(PathBytes.display(path)): \(String(cString: strerror(errno)))") }
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
            guard n >= 0 else { throw RunError("cannot read \(PathBytes.display(path)): \(String(cString: strerror(errno)))") }
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
