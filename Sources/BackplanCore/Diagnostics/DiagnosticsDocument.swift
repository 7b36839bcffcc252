import Foundation

/// Renders `docs/diagnostics.md` from the rule table, so the documentation cannot drift from the code.
public enum DiagnosticsDocument {
    public static func markdown() -> String {
        var out = """
            # Diagnostics

            <!-- Generated from Sources/BackplanCore/Diagnostics/*Rules.swift by
                 `BACKPLAN_RECORD=1 swift test --filter DiagnosticsDocumentTests`. Do not edit. -->

            Every problem backplan finds is a diagnostic with a stable code, a severity, the file, line and
            column of the YAML node (columns count Unicode scalars, from 1), a message and a hint:

            ```
            plans/openwebui.yaml:21:5: error[BP104]: unknown key 'retension' in job 'daily'; did you mean 'retention'?
             21 |     retension: {keep_daily: 7}
                |     ^~~~~~~~~
              help: write 'retention'
            ```

            `backplan check --format json` prints one JSON array (`code`, `severity`, `message`, `file`,
            `line`, `column`, `length`, `help`, `notes`); `--format github` prints GitHub Actions
            annotations. Like text, JSON output passes no control character to the terminal: DEL, C1
            controls, bidirectional controls and marks (U+200E, U+200F, U+061C) inside strings are written as
            `\\u009B`, `\\u202E`, … (C0 controls are JSON escapes anyway), and decode to the same strings.
            Errors fail `check`; warnings fail it only with `--strict`; notes never do.

            The examples below are edits of one base plan for an Open WebUI under Docker Compose, validated
            against the deployment of the Open WebUI 0.12.4 fixture; each example is also a test.

            | code | severity | summary |
            |---|---|---|

            """
        let rules = DiagnosticCode.allCases.map(\.rule)
        for rule in rules {
            out += "| [\(rule.code.rawValue)](#\(rule.code.rawValue.lowercased())) | \(rule.severity.rawValue) | \(rule.summary.replacingOccurrences(of: "|", with: "\\|")) |\n"
        }
        for rule in rules {
            out += "\n## \(rule.code.rawValue)\n\n**\(rule.severity.rawValue)**: \(rule.summary)\n\n"
            if let example = rule.example {
                let context = example.deployment == .standard ? "" : " (against a deployment: \(example.deployment.summary))"
                out += "Triggered by\(context):\n\n```yaml\n\(example.brokenExcerpt)\n```\n\n"
                out += "Fixed:\n\n```yaml\n\(example.fixedExcerpt)\n```\n\n"
            } else if let note = rule.exampleNote {
                out += "Example: \(note)\n\n"
            }
            out += "Fix: \(rule.fix)\n"
        }
        return out
    }
}
