/// Compose's variable interpolation in values: `$VAR`, `${VAR}`, `${VAR-default}`, `${VAR:-default}`,
/// `${VAR+alt}`, `${VAR:+alt}`, `${VAR?message}`, `${VAR:?message}`, and `$$` for a literal `$`.
///
/// The colon forms treat an empty value like an unset one. Defaults may themselves hold
/// interpolations. An unset variable without a default becomes the empty string, with a warning.
public enum ComposeInterpolation {
    /// A problem in one value; `offset` counts Unicode scalars from the start of the value.
    /// How deep `${A:-${B:-...}}` may nest: compose files nest one or two levels; a deeper value is
    /// refused rather than recursed into (4,000 levels overflowed the stack).
    public static let maximumDepth = 32

    public struct Problem: Sendable, Hashable {
        public var message: String
        public var offset: Int
        public var isError: Bool
    }

    /// Expands `text` with `variables`; problems are returned beside the best-effort result.
    public static func expand(_ text: String, variables: [String: String]) -> (value: String, problems: [Problem]) {
        var expander = Expander(scalars: Array(text.unicodeScalars), variables: variables)
        let value = expander.expand(from: 0, until: nil)
        return (value, expander.problems)
    }
}

extension ComposeInterpolation {
    /// A variable name: a letter or `_`, then letters, digits and `_`.
    static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
    }

    static func isNameBody(_ c: Unicode.Scalar) -> Bool {
        isNameStart(c) || (c >= "0" && c <= "9")
    }
}

private struct Expander {
    let scalars: [Unicode.Scalar]
    let variables: [String: String]
    var problems: [ComposeInterpolation.Problem] = []
    var index = 0
    /// How many `${...}` defaults enclose this expansion.
    var depth = 0

    init(scalars: [Unicode.Scalar], variables: [String: String]) {
        self.scalars = scalars
        self.variables = variables
    }


    /// Expands from `start` until the closing `}` of a braced default (when `until` is "}") or the end.
    mutating func expand(from start: Int, until terminator: Unicode.Scalar?) -> String {
        index = start
        var out = String.UnicodeScalarView()
        while index < scalars.count {
            let c = scalars[index]
            if let terminator, c == terminator { return String(out) }
            guard c == "$" else {
                out.append(c)
                index += 1
                continue
            }
            let dollar = index
            index += 1
            guard index < scalars.count else {
                problem("a '$' ends the value; write '$$' for a literal dollar sign", at: dollar, isError: true)
                out.append("$")
                continue
            }
            let next = scalars[index]
            if next == "$" {
                out.append("$")
                index += 1
            } else if next == "{" {
                out.append(contentsOf: braced(dollar: dollar).unicodeScalars)
            } else if ComposeInterpolation.isNameStart(next) {
                let name = readName()
                out.append(contentsOf: lookup(name, at: dollar).unicodeScalars)
            } else {
                problem("'$' must be followed by a variable name or '{'; write '$$' for a literal dollar sign",
                        at: dollar, isError: true)
                out.append("$")
            }
        }
        if terminator != nil {
            problem("'${' is not closed by '}'", at: max(0, start - 1), isError: true)
        }
        return String(out)
    }

    mutating func readName() -> String {
        var name = String.UnicodeScalarView()
        while index < scalars.count, ComposeInterpolation.isNameBody(scalars[index]) {
            name.append(scalars[index])
            index += 1
        }
        return String(name)
    }

    /// Handles `${...}` with `index` on the `{`.
    mutating func braced(dollar: Int) -> String {
        index += 1
        guard index < scalars.count, ComposeInterpolation.isNameStart(scalars[index]) else {
            problem("'${' must be followed by a variable name", at: dollar, isError: true)
            skipToClose()
            return ""
        }
        let name = readName()
        guard index < scalars.count else {
            problem("'${\(name)' is not closed by '}'", at: dollar, isError: true)
            return ""
        }
        var op = String(scalars[index])
        if op == "}" {
            index += 1
            return lookup(name, at: dollar)
        }
        if op == ":" , index + 1 < scalars.count {
            op += String(scalars[index + 1])
        }
        guard ["-", ":-", "+", ":+", "?", ":?"].contains(op) else {
            problem("invalid character in '${\(name)...}': expected '}', '-', ':-', '+', ':+', '?' or ':?'",
                    at: dollar, isError: true)
            skipToClose()
            return ""
        }
        index += op.unicodeScalars.count
        let value = variables[name]
        let unset = op.hasPrefix(":") ? (value ?? "").isEmpty : value == nil
        guard depth < ComposeInterpolation.maximumDepth else {
            problem("interpolations are nested more than \(ComposeInterpolation.maximumDepth) deep",
                    at: dollar, isError: true)
            index = scalars.count
            return ""
        }
        var nested = self
        nested.problems = []
        nested.depth = depth + 1
        let argument = nested.expand(from: index, until: "}")
        let closed = nested.index < scalars.count
        index = nested.index + (closed ? 1 : 0)
        switch op {
        case "-", ":-":
            if unset { problems += nested.problems }
            return unset ? argument : value ?? ""
        case "+", ":+":
            if !unset { problems += nested.problems }
            return unset ? "" : argument
        default:
            if unset {
                let why = argument.isEmpty ? "required variable \(name) is not set" : "required variable \(name) is not set: \(argument)"
                problem(why, at: dollar, isError: true)
            }
            return value ?? ""
        }
    }

    mutating func skipToClose() {
        while index < scalars.count, scalars[index] != "}" { index += 1 }
        if index < scalars.count { index += 1 }
    }

    mutating func lookup(_ name: String, at offset: Int) -> String {
        if let value = variables[name] { return value }
        problem("variable \(name) is not set; it is replaced by an empty string", at: offset, isError: false)
        return ""
    }

    mutating func problem(_ message: String, at offset: Int, isError: Bool) {
        problems.append(ComposeInterpolation.Problem(message: message, offset: offset, isError: isError))
    }
}
