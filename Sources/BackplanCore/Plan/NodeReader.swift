/// Reads located values out of YAML nodes for one file, collecting a diagnostic for every problem
/// instead of stopping at the first. Unknown keys point at the key, bad values at the value.
struct NodeReader {
    let file: String
    var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    mutating func report(_ code: DiagnosticCode, _ message: String, at node: YAMLNode, help: String? = nil,
                         notes: [String] = []) {
        diagnostics.append(Diagnostic(code, message, file: file, at: node.start, length: node.width, help: help,
                                      notes: notes))
    }

    mutating func report(_ code: DiagnosticCode, _ message: String, at start: SourceLocation, width: Int = 1,
                         help: String? = nil) {
        diagnostics.append(Diagnostic(code, message, file: file, at: start, length: width, help: help))
    }

    /// The fields of a mapping, keyed by name; reports unknown keys (with a suggestion among `known`),
    /// non-string keys and missing `required` keys. Nil when the node is not a mapping.
    mutating func fields(_ node: YAMLNode, in context: String, known: [String], required: [String] = [])
        -> [String: YAMLNode]?
    {
        guard let pairs = node.mapping else {
            report(.wrongType, "\(context) must be a mapping, not \(node.kindDescription)", at: node,
                   help: "write it as 'key: value' lines indented under it, or {key: value}")
            return nil
        }
        var result: [String: YAMLNode] = [:]
        for pair in pairs {
            guard let key = pair.key.scalar?.text else {
                report(.wrongType, "keys in \(context) must be plain words", at: pair.key)
                continue
            }
            guard known.contains(key) else {
                // SecretScanner reports keys that would hold a credential, with better advice.
                if SecretScanner.isSecretKeyName(key) { continue }
                var help = "the keys of \(context) are: \(known.joined(separator: ", "))"
                var message = "unknown key '\(key)' in \(context)"
                if let guess = Suggestion.closest(to: key, among: known) {
                    message += "; did you mean '\(guess)'?"
                    help = "write '\(guess)'"
                }
                report(.unknownKey, message, at: pair.key, help: help)
                continue
            }
            if result[key] == nil { result[key] = pair.value }
        }
        for key in required where result[key] == nil {
            report(.missingKey, "\(context) needs '\(key)'", at: node.start,
                   help: "add '\(key): …' to \(context)")
        }
        return result
    }

    /// A non-empty string scalar; reports lists, mappings, empty values and control characters.
    mutating func string(_ node: YAMLNode, _ what: String) -> Located<String>? {
        guard let scalar = node.scalar else {
            report(.wrongType, "\(what) must be a string, not \(node.kindDescription)", at: node)
            return nil
        }
        if scalar.isNull || scalar.text.isEmpty {
            report(.wrongType, "\(what) is empty", at: node, help: "give it a value or remove the key")
            return nil
        }
        if let bad = scalar.text.unicodeScalars.first(where: { Self.isUnsafe($0) }) {
            let name = bad == "\n" ? "a line break" : bad == "\0" ? "a NUL byte"
                : TerminalText.isBidiControl(bad) ? "a bidirectional control character (\(TerminalText.escape(String(bad))))"
                : "a control character"
            report(.unsafeCharacters, "\(what) contains \(name)", at: node,
                   help: "plan values reach shell scripts, unit files and terminals; write it on one line without control or bidirectional characters")
            return nil
        }
        return Located(scalar.text, start: node.start, width: node.width)
    }

    /// Characters no plan value may hold: they cannot be made inert in every generated file.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        TerminalText.isControl(scalar) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// A whole number in `range`.
    mutating func integer(_ node: YAMLNode, _ what: String, in range: ClosedRange<Int>) -> Located<Int>? {
        guard let text = string(node, what) else { return nil }
        guard text.value.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text.value), range.contains(value)
        else {
            report(.invalidNumber, "\(what) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text.value)'",
                   at: node, help: "write digits only, e.g. \(range.lowerBound == 1 ? 7 : range.lowerBound)")
            return nil
        }
        return Located(value, start: text.start, width: text.width)
    }

    /// `true` or `false` only: YAML 1.1's yes/no/on/off are refused, since they surprise people.
    mutating func boolean(_ node: YAMLNode, _ what: String) -> Bool? {
        guard let text = string(node, what) else { return nil }
        switch text.value {
        case "true": return true
        case "false": return false
        default:
            report(.invalidValue, "\(what) must be true or false, not '\(text.value)'", at: node,
                   help: "write true or false (yes/no/on/off are not booleans in a plan)")
            return nil
        }
    }

    mutating func duration(_ node: YAMLNode, _ what: String) -> Located<Duration>? {
        guard let text = string(node, what) else { return nil }
        guard let value = Duration(parsing: text.value) else {
            report(.invalidDuration, "\(what) '\(text.value)' is not a duration", at: node,
                   help: "write a number and a unit: 90s, 10m, 2h, 7d, 2w (or 1h30m), at most 100 years")
            return nil
        }
        return Located(value, start: text.start, width: text.width)
    }

    /// One of `choices`, with a suggestion when it is close to one.
    mutating func choice(_ node: YAMLNode, _ what: String, among choices: [String]) -> Located<String>? {
        guard let text = string(node, what) else { return nil }
        guard choices.contains(text.value) else {
            var message = "\(what) must be one of \(choices.joined(separator: ", ")), not '\(text.value)'"
            var help = "write one of: \(choices.joined(separator: ", "))"
            if let guess = Suggestion.closest(to: text.value, among: choices) {
                message += "; did you mean '\(guess)'?"
                help = "write '\(guess)'"
            }
            report(.invalidValue, message, at: node, help: help)
            return nil
        }
        return text
    }

    /// A name: lowercase letters, digits and dashes, starting with a letter or digit, at most 63 long.
    mutating func name(_ node: YAMLNode, _ what: String) -> Located<String>? {
        guard let text = string(node, what) else { return nil }
        guard Self.isValidName(text.value) else {
            report(.invalidName, "\(what) '\(text.value)' is not a valid name", at: node,
                   help: "use lowercase letters, digits and '-', starting with a letter or digit (at most 63)")
            return nil
        }
        return text
    }

    /// Compose's own rule for service names: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
    static func isComposeServiceName(_ text: String) -> Bool {
        func word(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) }
        guard let first = text.unicodeScalars.first, word(first) else { return false }
        return text.unicodeScalars.allSatisfy { word($0) || $0 == "_" || $0 == "." || $0 == "-" }
    }

    /// The engine's rule for container names: `[A-Za-z0-9][A-Za-z0-9_.-]*`, here at most 255 long.
    static func isContainerName(_ text: String) -> Bool {
        isComposeServiceName(text) && text.utf8.count <= 255
    }

    /// Compose's rule for project names: `[a-z0-9][a-z0-9_-]*`.
    static func isComposeProjectName(_ text: String) -> Bool {
        func word(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("0"..."9").contains(c) }
        guard let first = text.unicodeScalars.first, word(first) else { return false }
        return text.unicodeScalars.allSatisfy { word($0) || $0 == "_" || $0 == "-" }
    }

    static func isValidName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= 63 else { return false }
        func allowed(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("0"..."9").contains(c) }
        return allowed(first) && text.unicodeScalars.allSatisfy { allowed($0) || $0 == "-" }
    }

    /// A list of items, or a single scalar taken as a one-item list when `allowScalar`.
    mutating func list(_ node: YAMLNode, _ what: String, allowScalar: Bool = false) -> [YAMLNode]? {
        if let items = node.sequence { return items }
        if allowScalar, node.scalar != nil { return [node] }
        report(.wrongType, "\(what) must be a list, not \(node.kindDescription)", at: node,
               help: "write [a, b] or one '- item' per line")
        return nil
    }

    /// A list of strings with no repeats.
    mutating func strings(_ node: YAMLNode, _ what: String, allowScalar: Bool = false) -> [Located<String>]? {
        guard let items = list(node, what, allowScalar: allowScalar) else { return nil }
        var result: [Located<String>] = []
        var firstLine: [String: Int] = [:]  // a lookup, never iterated: linear in the list's length
        for item in items {
            guard let text = string(item, "an entry of \(what)") else { continue }
            if let line = firstLine[text.value] {
                report(.duplicateEntry, "'\(text.value)' is listed twice in \(what)", at: item,
                       help: "remove one (first at line \(line))")
                continue
            }
            firstLine[text.value] = text.start.line
            result.append(text)
        }
        return result
    }

    /// An absolute path, normalised only by refusing `..` segments and relative forms.
    mutating func absolutePath(_ node: YAMLNode, _ what: String) -> Located<String>? {
        guard let path = string(node, what) else { return nil }
        guard path.value.hasPrefix("/") else {
            report(.invalidPath, "\(what) must be an absolute path, not '\(path.value)'", at: node,
                   help: "write the full path from /, as the server sees it")
            return nil
        }
        guard !path.value.split(separator: "/").contains("..") else {
            report(.invalidPath, "\(what) must not contain '..'", at: node, help: "write the path without '..'")
            return nil
        }
        return path
    }
}

/// The rule for plan, source, target and job names.
public enum PlanNames {
    /// Lowercase letters, digits and '-', starting with a letter or digit, at most 63 long.
    public static func isValid(_ name: String) -> Bool { NodeReader.isValidName(name) }
}
