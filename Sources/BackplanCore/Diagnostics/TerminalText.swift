/// Text made safe for a terminal or a CI log: every message backplan prints about input it read (plan
/// keys and values, saved deployments, data-dir entry names, SNAPSHOT.json fields) goes through
/// `escape`, so escape sequences, line breaks that forge GitHub workflow commands, and bidirectional
/// overrides reach the reader as visible text, never as effects.
public enum TerminalText {
    /// C0 controls, DEL, C1 controls and the bidirectional embedding, override and isolate controls
    /// (U+202A–U+202E, U+2066–U+2069).
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) || isBidiControl(scalar)
    }

    /// U+202A–U+202E and U+2066–U+2069: they reorder what follows them on screen.
    public static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    /// `text` with each control character written visibly: `\n`, `\r`, `\t`, else `\u{1B}` (hex).
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    /// `text` escaped line by line: its line breaks stay, every other control character is escaped.
    public static func escapeLines(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && $0 != "\n" }) else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { escape(String($0)) }.joined(separator: "\n")
    }

    /// `text` with each control character except tab replaced by one `?`, so columns still line up
    /// (for quoted source lines under a caret).
    public static func masked(_ text: Substring) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { isControl($0) && $0 != "\t" ? "?" : $0 }))
    }
}
