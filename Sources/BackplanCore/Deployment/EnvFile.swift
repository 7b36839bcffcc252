/// A `KEY=value` file as compose reads it: the `.env` beside the compose file and each `env_file:`.
///
/// Blank lines and lines starting with `#` are skipped; an optional `export ` prefix is allowed;
/// a value in single quotes is taken literally, one in double quotes understands `\n`, `\"` and `\\`;
/// an unquoted value ends at ` #` (an inline comment) and is trimmed. A line without `=` names a
/// variable taken from the process environment (as compose does), or is skipped when that is unset.
public struct EnvFile: Sendable {
    /// The variables in file order (a later line with the same key wins in `values`).
    public var entries: [(key: String, value: String)] {
        order.map { ($0, values[$0] ?? "") }
    }

    /// The variables by name.
    public private(set) var values: [String: String] = [:]
    /// The 1-based line that last set each variable.
    public private(set) var lines: [String: Int] = [:]
    private var order: [String] = []

    /// A line that is not `KEY=value`: its 1-based line number and what is wrong. The message never
    /// quotes the line: an env file holds credentials, and a broken line may be one (a pasted key).
    public struct Problem: Sendable, Hashable {
        public var line: Int
        public var message: String
    }

    public private(set) var problems: [Problem] = []

    /// Parses `text`; `lookup` gives the process value of a bare `KEY` line.
    public init(parsing text: String, lookup: [String: String] = [:]) {
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(raw.hasSuffix("\r") ? raw.dropLast() : raw)
            line = line.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7).drop { $0 == " " } }
            guard let equals = line.firstIndex(of: "=") else {
                let key = String(line).trimmingSpaces
                if Self.isValidKey(key) {
                    if let value = lookup[key] { set(key, value, line: lineNumber) }
                } else {
                    problems.append(Problem(line: lineNumber, message: "line \(lineNumber) is not a KEY=value line (not shown: it may hold a credential); fix or remove it"))
                }
                continue
            }
            let key = String(line[..<equals]).trimmingSpaces
            guard Self.isValidKey(key) else {
                problems.append(Problem(line: lineNumber, message: "the name before '=' on line \(lineNumber) is not a valid variable name (not shown: the line may hold a credential); fix or remove it"))
                continue
            }
            set(key, Self.value(line[line.index(after: equals)...]), line: lineNumber)
        }
    }

    private mutating func set(_ key: String, _ value: String, line: Int) {
        if values[key] == nil { order.append(key) }
        values[key] = value
        lines[key] = line
    }

    static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, !(first >= "0" && first <= "9") else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || $0 == "." || $0 == "-" || ($0 >= "0" && $0 <= "9") || ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") }
    }

    static func value(_ raw: Substring) -> String {
        let text = raw.drop { $0 == " " || $0 == "\t" }
        if text.hasPrefix("'"), let close = text.dropFirst().firstIndex(of: "'") {
            return String(text[text.index(after: text.startIndex)..<close])
        }
        if text.hasPrefix("\"") {
            var out = ""
            var escaped = false
            for c in text.dropFirst() {
                if escaped {
                    switch c {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    default: out.append(c)
                    }
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"" {
                    return out
                } else {
                    out.append(c)
                }
            }
            return out
        }
        var value = String(text)
        if let hash = value.range(of: " #") { value = String(value[..<hash.lowerBound]) }
        return value.trimmingSpaces
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return String(scalars[first...last])
    }
}

extension EnvFile {
    /// Names (or name endings after `_`) of env-file variables that never hold a credential, so that their
    /// values stay readable in error messages: the remote's type, provider, region, host, port, user,
    /// endpoint, the paths of key and known_hosts files, and switches.
    public static let plainKeySuffixes = ["TYPE", "PROVIDER", "REGION", "HOST", "PORT", "USER", "ENDPOINT",
                                          "KEY_FILE", "KNOWN_HOSTS_FILE", "NO_HEAD", "DISABLE_HASHCHECK", "SHELL_TYPE"]

    /// Words of a variable name (between `_`, `.` or `-`) that say its value is a credential.
    public static let secretNameWords = ["PASS", "PIN", "PW", "PWD", "KEY", "AUTH"]
    /// Parts of a variable name, anywhere in it, that say its value is a credential.
    public static let secretNameParts = ["PASSWORD", "PASSWD", "PASSPHRASE", "TOKEN", "SECRET", "CREDENTIAL", "APIKEY",
                                         "PRIVATE", "AUTHORIZATION"]

    /// Whether `key` names a credential (`RESTIC_PASSWORD`, `PIN`, `AWS_ACCESS_KEY_ID`), unless it is a plain
    /// setting (`…_KEY_FILE`).
    public static func isSecretName(_ key: String) -> Bool {
        let name = key.uppercased()
        if plainKeySuffixes.contains(where: { name == $0 || name.hasSuffix("_" + $0) }) { return false }
        let words = name.split(whereSeparator: { $0 == "_" || $0 == "." || $0 == "-" }).map(String.init)
        return words.contains(where: secretNameWords.contains) || secretNameParts.contains(where: name.contains)
    }

    /// Whether both executors redact `value` (of variable `key`) from what a tool prints: every non-empty
    /// value of a variable whose name says credential (`isSecretName`), whatever its length; otherwise any
    /// value of 4 characters or more, except `true`, `false`, numbers and the values of `plainKeySuffixes`
    /// variables.
    public static func isSecret(key: String, value: String) -> Bool {
        if value.isEmpty { return false }
        if isSecretName(key) { return true }
        guard value.count >= 4, value != "true", value != "false", !value.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        let name = key.uppercased()
        return !plainKeySuffixes.contains { name == $0 || name.hasSuffix("_" + $0) }
    }
}
