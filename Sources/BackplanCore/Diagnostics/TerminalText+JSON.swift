/// JSON output made as safe for a terminal as text output: JSONEncoder escapes C0 controls only, so
/// DEL, C1 controls and bidirectional controls would reach a terminal or a CI log raw.
extension TerminalText {
    /// U+200E, U+200F and U+061C: the left-to-right, right-to-left and Arabic letter marks.
    public static func isBidiMark(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x200E || scalar.value == 0x200F || scalar.value == 0x061C
    }

    /// Encoded JSON with DEL, each C1 and bidirectional control (`isControl`) and each bidirectional
    /// mark written as `\uXXXX`: still valid JSON that decodes to the same strings. Outside strings
    /// JSON holds only ASCII, so every such scalar is inside a string. C0 controls are left alone:
    /// the encoder already escapes them inside strings, and outside they are the layout's line breaks.
    public static func escapeJSON(_ json: String) -> String {
        func escaped(_ scalar: Unicode.Scalar) -> Bool { (isControl(scalar) && scalar.value >= 0x20) || isBidiMark(scalar) }
        guard json.unicodeScalars.contains(where: escaped) else { return json }
        var out = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            guard escaped(scalar) else {
                out.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16, uppercase: true)
            out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
        }
        return String(out)
    }
}
