import Foundation

/// Renders diagnostics as a compiler does (`text`), for GitHub Actions annotations (`github`), or as one
/// JSON array (`json`).
public struct DiagnosticPrinter: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case text, json, github
    }

    public var format: Format
    /// ANSI colours in text output (only on a terminal, and never with NO_COLOR).
    public var color: Bool
    /// Source text by file name, for the quoted line under each text diagnostic.
    public var sources: [String: String]

    public init(format: Format, color: Bool = false, sources: [String: String] = [:]) {
        self.format = format
        self.color = color
        self.sources = sources
    }

    /// Every diagnostic rendered, sorted; ends with a newline unless empty.
    public func render(_ diagnostics: [Diagnostic]) -> String {
        let sorted = diagnostics.sorted()
        switch format {
        case .json: return json(sorted)
        case .github: return sorted.map(github).joined()
        case .text:
            let lines = lineIndex(sorted)
            return sorted.map { text($0, lines) }.joined()
        }
    }

    /// `2 errors, 1 warning` style summary.
    public static func summary(_ diagnostics: [Diagnostic]) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        return "\(plural(errors, "error")), \(plural(warnings, "warning"))"
    }

    private func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    /// The longest stretch of a source line quoted under a message, in Unicode scalars; longer lines are
    /// cut around the caret and marked with `…`.
    public static let quotedLineLimit = 160

    /// Each file's lines, split once per render (not once per diagnostic), for the files diagnosed.
    private func lineIndex(_ diagnostics: [Diagnostic]) -> [String: [Substring]] {
        var index: [String: [Substring]] = [:]
        for d in diagnostics where index[d.file] == nil {
            guard let source = sources[d.file] else { continue }
            index[d.file] = source.split(separator: "\n", omittingEmptySubsequences: false)
        }
        return index
    }

    private func text(_ d: Diagnostic, _ lines: [String: [Substring]]) -> String {
        let position = d.location.map { ":\($0.line):\($0.column)" } ?? ""
        let severityColor = switch d.severity {
        case .error: "1;31"
        case .warning: "1;33"
        case .note: "1;36"
        }
        var out = paint("\(TerminalText.escape(d.file))\(position):", "1") + " "
            + paint("\(d.severity.rawValue)[\(d.code.rawValue)]:", severityColor) + " " + paint(TerminalText.escape(d.message), "1") + "\n"
        if let location = d.location, let line = sourceLine(lines[d.file], location.line) {
            let number = String(location.line)
            let gutter = String(repeating: " ", count: number.count)
            let caret = max(0, location.column - 1)
            let excerpt = Self.excerpt(Array(line.unicodeScalars), around: caret)
            // Keep tabs in the padding so the caret lines up under the quoted text.
            let padding = excerpt.scalars.prefix(max(0, caret - excerpt.offset)).map { $0 == "\t" ? "\t" : " " }.joined()
            let available = max(1, excerpt.scalars.count - (caret - excerpt.offset))
            let width = min(d.length, available)
            let shown = TerminalText.masked(Substring(String(String.UnicodeScalarView(excerpt.scalars))))
            out += "\(paint(" \(number) |", "34")) \(excerpt.cutBefore ? "…" : "")\(shown)\(excerpt.cutAfter ? "…" : "")\n"
            out += "\(paint(" \(gutter) |", "34")) \(excerpt.cutBefore ? " " : "")\(padding)"
                + "\(paint("^" + String(repeating: "~", count: max(0, width - 1)), severityColor))\n"
        }
        for note in d.notes { out += "  note: \(TerminalText.escape(note))\n" }
        if let help = d.help { out += "  \(paint("help:", "1;32")) \(TerminalText.escape(help))\n" }
        return out
    }

    /// At most `quotedLineLimit` scalars of `line` around the caret, and whether it was cut on each side.
    static func excerpt(_ line: [Unicode.Scalar], around caret: Int)
        -> (scalars: ArraySlice<Unicode.Scalar>, offset: Int, cutBefore: Bool, cutAfter: Bool)
    {
        guard line.count > quotedLineLimit else { return (line[...], 0, false, false) }
        let start = max(0, min(caret - quotedLineLimit / 3, line.count - quotedLineLimit))
        let end = min(line.count, start + quotedLineLimit)
        return (line[start..<end], start, start > 0, end < line.count)
    }

    /// Line `number` (1-based), without its CR; control characters are masked once it is cut to size.
    private func sourceLine(_ lines: [Substring]?, _ number: Int) -> Substring? {
        guard let lines, number >= 1, number <= lines.count else { return nil }
        let line = lines[number - 1]
        return line.hasSuffix("\r") ? line.dropLast() : line
    }

    private func github(_ d: Diagnostic) -> String {
        let kind = d.severity == .note ? "notice" : d.severity.rawValue
        var properties = "file=\(escapeProperty(TerminalText.escape(d.file)))"
        if let l = d.location { properties += ",line=\(l.line),col=\(l.column)" }
        properties += ",title=\(escapeProperty(d.code.rawValue))"
        var message = TerminalText.escape(d.message)
        if let help = d.help { message += "\n" + TerminalText.escape(help) }
        return "::\(kind) \(properties)::\(escapeData(message))\n"
    }

    private func escapeData(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    private func escapeProperty(_ s: String) -> String {
        escapeData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    /// The JSON form of one diagnostic; optional fields are left out when absent.
    private struct Record: Encodable {
        var code, severity, message, file: String
        var line, column, length: Int?
        var help: String?
        var notes: [String]
    }

    private func json(_ diagnostics: [Diagnostic]) -> String {
        let records = diagnostics.map { d in
            Record(code: d.code.rawValue, severity: d.severity.rawValue, message: d.message, file: d.file,
                   line: d.location?.line, column: d.location?.column, length: d.location == nil ? nil : d.length,
                   help: d.help, notes: d.notes)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = (try? encoder.encode(records)) ?? Data("[]".utf8)
        return TerminalText.escapeJSON(String(decoding: data, as: UTF8.self)) + "\n"
    }
}
