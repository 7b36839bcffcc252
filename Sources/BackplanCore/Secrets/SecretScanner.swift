import Foundation

/// Finds credentials written into a plan. Plans are committed to git, so a secret may reach a plan only
/// by reference: a `*_file` path, an `env_file`, or a `*_env` variable name.
public enum SecretScanner {
    /// Scans every key and value of the document.
    public static func scan(_ root: YAMLNode, file: String) -> [Diagnostic] {
        var found: [Diagnostic] = []
        walk(root, file: file, into: &found)
        return found
    }

    /// Key names that would hold a credential inline.
    static let secretWords = ["password", "passwd", "secret", "token", "api_key", "apikey", "access_key",
                              "secret_key", "private_key", "account_key", "application_key", "app_key", "credentials",
                              "passphrase", "auth"]

    /// True for keys such as `password` or `secret_access_key`, false for `password_file` or `token_env`.
    public static func isSecretKeyName(_ key: String) -> Bool {
        let lower = key.lowercased()
        if lower.hasSuffix("_file") || lower.hasSuffix("_env") || lower == "env_file" { return false }
        return secretWords.contains { lower == $0 || lower.hasSuffix("_" + $0) || lower.hasPrefix($0 + "_") }
    }

    private static func walk(_ node: YAMLNode, file: String, into found: inout [Diagnostic]) {
        switch node.value {
        case .mapping(let pairs):
            for pair in pairs {
                if let key = pair.key.scalar?.text, isSecretKeyName(key) {
                    found.append(Diagnostic(.secretKey, "'\(key)' would put a credential in the plan, which is committed to git",
                                            file: file, at: pair.key.start, length: pair.key.width,
                                            help: "keep the secret in a file readable only by root and name it with '\(key)_file: /etc/backplan/\(key)', or an environment variable with '\(key)_env'"))
                    continue
                }
                walk(pair.key, file: file, into: &found)
                walk(pair.value, file: file, into: &found)
            }
        case .sequence(let items):
            for item in items { walk(item, file: file, into: &found) }
        case .scalar(let scalar):
            if let finding = classify(scalar.text) {
                let code: DiagnosticCode = finding == .urlCredentials ? .credentialsInURL : .secretLiteral
                found.append(Diagnostic(code, finding.message, file: file, at: node.start, length: node.width,
                                        help: finding.help))
            }
        }
    }

    enum Finding: Equatable {
        case urlCredentials
        case shape(String)
        case highEntropy
        case assignment(String)

        var message: String {
            switch self {
            case .urlCredentials: "this URL carries a user name and password"
            case .shape(let what): "this value looks like \(what)"
            case .highEntropy: "this value looks like a key or token (long and random)"
            case .assignment(let key): "this value gives '\(key)' a credential written in the plan"
            }
        }

        var help: String {
            switch self {
            case .urlCredentials:
                "remove 'user:password@' and pass the credentials through env_file or the tool's own config file"
            case .shape, .highEntropy, .assignment:
                "never write secrets in a plan: put it in a file readable only by root and reference it with a *_file or env_file key; then rotate it, since it may already be in git history"
            }
        }
    }

    /// What kind of secret `text` looks like, if any: the whole value, then each word inside it.
    static func classify(_ text: String) -> Finding? {
        classifyShape(text) ?? classifyInside(text)
    }

    /// What kind of secret `text`, taken whole, looks like, if any.
    static func classifyShape(_ text: String) -> Finding? {
        if hasURLCredentials(text) { return .urlCredentials }
        if isJWT(text) { return .shape("a JSON Web Token") }
        let token = Array(text.utf8)
        if text.contains("-----BEGIN") && text.contains("PRIVATE KEY") { return .shape("a private key") }
        if token.count == 20, (text.hasPrefix("AKIA") || text.hasPrefix("ASIA")),
           token.allSatisfy({ isUpper($0) || isDigit($0) })
        {
            return .shape("an AWS access key ID")
        }
        if token.count == 40, token.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "+") }),
           token.contains(where: isLower), token.contains(where: isUpper), token.contains(where: isDigit)
        {
            return .shape("an AWS secret access key")
        }
        if token.count == 31, text.hasPrefix("K00"), token.allSatisfy(isAlnum) { return .shape("a Backblaze B2 application key") }
        if token.count == 25, text.hasPrefix("00"), token.allSatisfy(isHex) { return .shape("a Backblaze B2 key ID") }
        for prefix in ["ghp_", "gho_", "github_pat_", "glpat-", "xoxb-", "xoxp-", "sk-"] where text.hasPrefix(prefix) {
            if token.count >= prefix.utf8.count + 16 { return .shape("an API token") }
        }
        if isHighEntropyToken(token) { return .highEntropy }
        return nil
    }

    /// `scheme://user:password@host`: a password in a URL.
    static func hasURLCredentials(_ text: String) -> Bool {
        guard let scheme = text.range(of: "://") else { return false }
        let rest = text[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return false }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return false }
        return !userInfo[userInfo.index(after: colon)...].isEmpty
    }

    /// A run of 32 or more token characters (of any length) that mixes upper case, lower case and digits
    /// (or is 40 or more hex digits), with at least 4 bits of entropy per character: random keys look like
    /// this; paths, bucket names and UUIDs do not.
    static func isHighEntropyToken(_ token: [UInt8]) -> Bool {
        guard token.count >= 32 else { return false }
        let allowed = token.allSatisfy {
            isAlnum($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "=")
                || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
        let mixedCase = token.contains(where: isDigit) && token.contains(where: isLower) && token.contains(where: isUpper)
        let longHex = token.count >= 40 && token.allSatisfy(isHex)
        guard allowed, mixedCase || longHex else { return false }
        // Paths are not tokens: several '/'-separated words.
        if token.first == UInt8(ascii: "/") || token.filter({ $0 == UInt8(ascii: "/") }).count > 2 { return false }
        var counts = [Int](repeating: 0, count: 256)
        for byte in token { counts[Int(byte)] += 1 }
        let n = Double(token.count)
        var entropy = 0.0
        for c in counts where c > 0 {
            let p = Double(c) / n
            entropy -= p * log2(p)
        }
        return entropy >= (longHex ? 3.5 : 4.0)
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    static func isUpper(_ b: UInt8) -> Bool { b >= 65 && b <= 90 }
    static func isLower(_ b: UInt8) -> Bool { b >= 97 && b <= 122 }
    static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isUpper(b) || isLower(b) }
    static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b >= 97 && b <= 102) || (b >= 65 && b <= 70) }
}
