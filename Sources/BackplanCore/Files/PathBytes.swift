/// File names are bytes. A name read from the disk (or from a manifest) that is not valid UTF-8 is held
/// in a `String` without losing a byte: each byte of an invalid sequence becomes U+FFFF followed by the
/// scalar of the same value (U+0080–U+00FF), and a real U+FFFF becomes U+FFFF U+FFFF. Valid UTF-8
/// without U+FFFF (every name in practice) is held as itself, so plan paths and ordinary names need no
/// conversion. `bytes(_:)` and `withCString(_:_:)` give the original bytes back for system calls and
/// for `MANIFEST.sha256`; `display(_:)` writes each such byte as `\xNN` for messages.
public enum PathBytes {
    /// The marker scalar, a Unicode noncharacter.
    static let marker: Unicode.Scalar = "\u{FFFF}"

    /// `bytes` as a path string (see the type's comment).
    public static func string<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        if let text = String(validating: bytes, as: UTF8.self), !text.unicodeScalars.contains(marker) { return text }
        var out = String.UnicodeScalarView()
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var pending = Array(bytes)[...]
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                if scalar == marker { out.append(marker) }
                out.append(scalar)
                pending = pending.dropFirst(encoded.count)
            case .error(let length):
                for byte in pending.prefix(length) {
                    out.append(marker)
                    out.append(Unicode.Scalar(byte))
                }
                pending = pending.dropFirst(length)
            case .emptyInput:
                return String(out)
            }
        }
    }

    /// The bytes `path` stands for.
    public static func bytes(_ path: String) -> [UInt8] {
        guard path.unicodeScalars.contains(marker) else { return Array(path.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count)
        var escaped = false
        for scalar in path.unicodeScalars {
            if escaped {
                if scalar == marker { out += Array(String(marker).utf8) } else { out.append(UInt8(truncatingIfNeeded: scalar.value)) }
                escaped = false
            } else if scalar == marker {
                escaped = true
            } else {
                out += Array(String(scalar).utf8)
            }
        }
        return out
    }

    /// Calls `body` with `path`'s bytes as a NUL-terminated C string (for open, lstat, mkdir…).
    public static func withCString<Result>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        guard path.unicodeScalars.contains(marker) else { return try path.withCString(body) }
        let c = bytes(path).map { CChar(bitPattern: $0) } + [0]
        return try c.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// `path` for a message: each byte that is not UTF-8 as `\xNN`, control characters escaped.
    public static func display(_ path: String) -> String {
        guard path.unicodeScalars.contains(marker) else { return TerminalText.escape(path) }
        var out = ""
        var escaped = false
        for scalar in path.unicodeScalars {
            if escaped {
                out += scalar == marker ? TerminalText.escape(String(marker)) : "\\x" + String(scalar.value, radix: 16, uppercase: true)
                escaped = false
            } else if scalar == marker {
                escaped = true
            } else {
                out += TerminalText.escape(String(scalar))
            }
        }
        return out
    }

    /// True when `a`'s bytes sort before `b`'s (the order of `LC_ALL=C sort` and of MANIFEST.sha256).
    public static func byteOrder(_ a: String, _ b: String) -> Bool {
        if !a.unicodeScalars.contains(marker) && !b.unicodeScalars.contains(marker) {
            return a.utf8.lexicographicallyPrecedes(b.utf8)
        }
        return bytes(a).lexicographicallyPrecedes(bytes(b))
    }
}
