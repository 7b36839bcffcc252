import BackplanCore
import Testing

/// BackplanCore's line:column (Testing has a SourceLocation of its own).
typealias Position = BackplanCore.SourceLocation

/// Source text with position markers (1️⃣ … 9️⃣) that tests use to say where a diagnostic must point,
/// in the manner of swift-format's tests. Markers are removed from the text the code under test sees.
struct MarkedSource {
    static let markers = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]

    let text: String
    let locations: [String: Position]

    init(_ marked: String) {
        var text = ""
        var locations: [String: Position] = [:]
        var line = 1
        var column = 1
        var rest = Substring(marked)
        outer: while let first = rest.first {
            for marker in Self.markers where rest.hasPrefix(marker) {
                locations[marker] = Position(line: line, column: column)
                rest = rest.dropFirst(marker.count)
                continue outer
            }
            text.append(first)
            if first == "\n" {
                line += 1
                column = 1
            } else {
                column += first.unicodeScalars.count
            }
            rest = rest.dropFirst()
        }
        self.text = text
        self.locations = locations
    }
}

/// Expects exactly the diagnostics named, at their markers; any other diagnostic fails the test.
func expectDiagnostics(
    _ diagnostics: [Diagnostic], in source: MarkedSource, _ expected: [String: DiagnosticCode],
    ignoring: Set<DiagnosticCode> = [], sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    let actual = diagnostics.filter { !ignoring.contains($0.code) }
    var unmatched = actual
    for (marker, code) in expected.sorted(by: { $0.key < $1.key }) {
        guard let at = source.locations[marker] else {
            Issue.record("marker \(marker) is not in the source", sourceLocation: sourceLocation)
            continue
        }
        if let index = unmatched.firstIndex(where: { $0.code == code && $0.location == at }) {
            unmatched.remove(at: index)
        } else {
            Issue.record("expected \(code.rawValue) at \(marker) (\(at.line):\(at.column)); got: \(describe(actual))",
                         sourceLocation: sourceLocation)
        }
    }
    for extra in unmatched {
        Issue.record("unexpected diagnostic: \(describe([extra]))", sourceLocation: sourceLocation)
    }
}

func describe(_ diagnostics: [Diagnostic]) -> String {
    diagnostics.map { d in
        "\(d.code.rawValue)@\(d.location.map { "\($0.line):\($0.column)" } ?? "-") \(d.message)"
    }.joined(separator: "; ") as String
}

/// Runs the front end on marked plan text.
func frontEnd(_ source: MarkedSource, file: String = "plans/test.yaml") -> (plan: Plan?, diagnostics: [Diagnostic]) {
    PlanFrontEnd.process(Array(source.text.utf8), file: file)
}
