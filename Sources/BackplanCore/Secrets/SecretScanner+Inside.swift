/// Credentials inside a longer value: a quiesce command with `AWS_ACCESS_KEY_ID=AKIA…` or `Bearer ghp_…`,
/// an option such as `-p<password>`, an rclone connection string `:s3,secret_access_key=…:bucket`.
extension SecretScanner {
    /// Characters that end a word inside a value: blanks, quotes and the punctuation of shell commands and
    /// rclone connection strings.
    static let wordSeparators: Set<Character> = [" ", "\t", "\"", "'", "`", ",", ";", "(", ")", "{", "}", "[", "]",
                                                  "<", ">", "|", "&"]

    /// Values of a `KEY=value` word that are not credentials, whatever the key says.
    static let plainAssignedValues: Set<String> = ["none", "true", "false", "yes", "no", "on", "off", "0", "1"]

    /// What kind of secret a word inside `text` looks like, if any (`classify` has looked at the whole value).
    static func classifyInside(_ text: String) -> Finding? {
        let words = text.split(whereSeparator: { wordSeparators.contains($0) }).map(String.init)
        for word in words {
            if let finding = classifyWord(word) { return finding }
        }
        return nil
    }

    /// One word: `KEY=value` with a credential's name and a literal value, `-p<token>`, or a token alone.
    static func classifyWord(_ word: String) -> Finding? {
        if let equals = word.firstIndex(of: "=") {
            let key = String(word[..<equals].drop { $0 == "-" })
            let value = String(word[word.index(after: equals)...])
            // In an rclone connection string (`:s3,env_auth=true:bucket`) the value ends at ':'.
            let head = String(value.prefix { $0 != ":" })
            if !key.isEmpty, isLiteral(head), isSecretKeyName(key) || EnvFile.isSecretName(key) {
                return .assignment(key)
            }
            return classifyToken(value)
        }
        // `-pSECRET`: a one-letter option glued to its value (mysql, mysqldump, sshpass).
        if word.count > 2, word.hasPrefix("-"), !word.hasPrefix("--"), let finding = classifyToken(String(word.dropFirst(2))) {
            return finding
        }
        return classifyToken(word)
    }

    /// A token alone: the shapes `classify` knows, except where it is a path or a URL without credentials.
    static func classifyToken(_ token: String) -> Finding? {
        if token.isEmpty || token.hasPrefix("/") || token.hasPrefix("~") { return nil }
        if token.contains("://"), !hasURLCredentials(token) { return nil }
        return classifyShape(token)
    }

    /// A value given to a credential's key that is written in the plan, not taken from elsewhere: not empty,
    /// not a `$VARIABLE` or `$(command)`, not a path, not a switch word.
    static func isLiteral(_ value: String) -> Bool {
        guard let first = value.first, first != "$", first != "/", first != "~" else { return false }
        return !plainAssignedValues.contains(value.lowercased())
    }

    /// `header.payload.signature`, each base64url, the first two JSON objects (`eyJ` is `{"`).
    static func isJWT(_ token: String) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].hasPrefix("eyJ"), parts[1].hasPrefix("eyJ"), parts[0].count >= 10,
              parts[1].count >= 10 else { return false }
        return parts.allSatisfy { $0.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "=") } }
    }
}
