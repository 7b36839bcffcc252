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
        case .text: return sorted.map(text).joined()
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

    private func text(_ d: Diagnostic) -> String {
        let position = d.location.map { ":\($0.line):\($0.column)" } ?? ""
        let severityColor = switch d.severity {
        case .error: "1;31"
        case .warning: "1;33"
        case .note: "1;36"
        }
        var out = paint("\(d.file)\(position):", "1") + " " + paint("\(d.severity.rawValue)[\(d.code.rawValue)]:", severityColor)
            + " " + paint(d.message, "1") + "\n"
        if let location = d.location, let line = sourceLine(d.file, location.line) {
            let number = String(location.line)
            let gutter = String(repeating: " ", count: number.count)
            let scalars = Array(line.unicodeScalars)
            // Keep tabs in the padding so the caret lines up under the quoted text.
            let padding = scalars.prefix(max(0, location.column - 1)).map { $0 == "\t" ? "\t" : " " }.joined()
            let available = max(1, scalars.count - (location.column - 1))
            let width = min(d.length, available)
            out += "\(paint(" \(number) |", "34")) \(line)\n"
            out += "\(paint(" \(gutter) |", "34")) \(padding)\(paint("^" + String(repeating: "~", count: max(0, width - 1)), severityColor))\n"
        }
        for note in d.notes { out += "  note: \(note)\n" }
        if let help = d.help { out += "  \(paint("help:", "1;32")) \(help)\n" }
        return out
    }

    private func sourceLine(_ file: String, _ number: Int) -> String? {
        guard let source = sources[file], number >= 1 else { return nil }
        var current = 1
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == number {
                let text = String(line.hasSuffix("\r") ? line.dropLast() : line)
                // Control characters would garble the terminal; show them escaped.
                return String(String.UnicodeScalarView(text.unicodeScalars.map {
                    $0.value < 0x20 && $0 != "\t" ? "?" : $0
                }))
            }
            current += 1
        }
        return nil
    }

    private func github(_ d: Diagnostic) -> String {
        let kind = d.severity == .note ? "notice" : d.severity.rawValue
        var properties = "file=\(escapeProperty(d.file))"
        if let l = d.location { properties += ",line=\(l.line),col=\(l.column)" }
        properties += ",title=\(escapeProperty(d.code.rawValue))"
        var message = d.message
        if let help = d.help { message += "\n" + help }
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
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
