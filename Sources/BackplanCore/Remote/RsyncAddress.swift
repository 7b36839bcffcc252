/// What an rsync target's `host` and `user` may be: rsync and ssh read `user@host:path`, so a `/`, `:` or
/// `@` in either would change what they connect to (rsync takes `bk/x@host:path` for a local path), and a
/// leading `-` would be read as an option.
public enum RsyncAddress {
    /// A POSIX login name: letters, digits, `.`, `_` and `-`, not starting with `-`.
    public static func isLoginName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != "-" else { return false }
        return name.unicodeScalars.allSatisfy { isASCIIAlnum($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }

    /// A host name (labels of letters, digits, `-` and `_`, between dots), an IPv4 address, or an IPv6
    /// address in brackets (`[fd00::1]`); never starting with `-`.
    public static func isHost(_ host: String) -> Bool {
        if host.hasPrefix("[") { return isBracketedIPv6(host) }
        guard let first = host.unicodeScalars.first, first != "-", first != ".", host.utf8.count <= 253 else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-")
                && label.unicodeScalars.allSatisfy { isASCIIAlnum($0) || $0 == "-" || $0 == "_" }
        }
    }

    /// `[` hex digits, `:` and `.` (an embedded IPv4), at least two `:` `]`, nothing else.
    static func isBracketedIPv6(_ host: String) -> Bool {
        guard host.hasPrefix("["), host.hasSuffix("]"), host.count > 2 else { return false }
        let inner = host.dropFirst().dropLast()
        return inner.filter { $0 == ":" }.count >= 2
            && inner.unicodeScalars.allSatisfy { $0.properties.isASCIIHexDigit || $0 == ":" || $0 == "." }
    }

    /// The host as ssh takes it: without the brackets of an IPv6 address (rsync needs them, ssh refuses them).
    public static func sshHost(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    private static func isASCIIAlnum(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
    }
}
