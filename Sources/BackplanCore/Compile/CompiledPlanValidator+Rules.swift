extension CompiledPlanValidator {
    static func check(_ target: CompiledTarget, _ field: String, _ out: inout [CompiledPlanProblem]) {
        name(target.name, field + ".name", &out)
        switch target.kind {
        case .local(let path):
            absolutePath(path, field + ".path", &out)
        case .rclone(let r):
            text(r.remote, field + ".remote", &out)
            if !r.remote.contains(":") { out.append(CompiledPlanProblem(field + ".remote", "names no rclone remote (REMOTE:path)")) }
            if let file = r.configFile { absolutePath(file, field + ".config_file", &out) }
            if let file = r.envFile { absolutePath(file, field + ".env_file", &out) }
            if let limit = r.bandwidthLimit { text(limit, field + ".bwlimit", &out) }
            if let transfers = r.transfers, !(1...64).contains(transfers) {
                out.append(CompiledPlanProblem(field + ".transfers", "must be from 1 to 64"))
            }
        case .restic(let r):
            text(r.repository, field + ".repository", &out)
            absolutePath(r.passwordFile, field + ".password_file", &out)
            if let file = r.envFile { absolutePath(file, field + ".env_file", &out) }
        case .rsync(let r):
            // rsync reads `user@host:path`: a ':' would end the host, a leading '-' would be an option.
            if r.host.isEmpty || r.host.hasPrefix("-") || r.host.contains(where: { " @:\t".contains($0) }) || hasControl(r.host) {
                out.append(CompiledPlanProblem(field + ".host", "is not a host name"))
            }
            if let user = r.user, user.isEmpty || user.hasPrefix("-") || user.contains(where: { " :\t".contains($0) }) || hasControl(user) {
                out.append(CompiledPlanProblem(field + ".user", "is not a user name"))
            }
            if let port = r.port, !(1...65535).contains(port) { out.append(CompiledPlanProblem(field + ".port", "must be from 1 to 65535")) }
            absolutePath(r.path, field + ".path", &out)
            if let file = r.sshKey { absolutePath(file, field + ".ssh_key", &out) }
            if let file = r.knownHosts { absolutePath(file, field + ".known_hosts", &out) }
        }
    }

    static func name(_ value: String, _ field: String, _ out: inout [CompiledPlanProblem]) {
        guard !PlanNames.isValid(value) else { return }
        out.append(CompiledPlanProblem(field, "'\(printable(value))' is not a valid name (lowercase letters, digits and '-', starting with a letter or digit, at most 63)"))
    }

    /// Absolute, without `..` segments or control characters.
    static func absolutePath(_ value: String, _ field: String, _ out: inout [CompiledPlanProblem]) {
        if !value.hasPrefix("/") {
            out.append(CompiledPlanProblem(field, "must be an absolute path, not '\(printable(value))'"))
        } else if value.split(separator: "/").contains("..") {
            out.append(CompiledPlanProblem(field, "must not contain '..'"))
        } else if hasControl(value) {
            out.append(CompiledPlanProblem(field, "must not contain control characters"))
        }
    }

    /// Relative, without `..`, empty segments or control characters.
    static func relativePath(_ value: String, _ field: String, _ out: inout [CompiledPlanProblem]) {
        let segments = value.split(separator: "/", omittingEmptySubsequences: false)
        if value.isEmpty || value.hasPrefix("/") || segments.contains("..") || segments.contains("") || hasControl(value) {
            out.append(CompiledPlanProblem(field, "must be a relative path without '..', empty segments or control characters"))
        }
    }

    /// Non-empty, without control characters.
    static func text(_ value: String, _ field: String, _ out: inout [CompiledPlanProblem]) {
        if value.isEmpty { out.append(CompiledPlanProblem(field, "is empty")) }
        if hasControl(value) { out.append(CompiledPlanProblem(field, "must not contain control characters")) }
    }

    static func unique(_ names: [String], _ field: String, _ out: inout [CompiledPlanProblem]) {
        var seen = Set<String>()
        for (i, name) in names.enumerated() where !seen.insert(name).inserted {
            out.append(CompiledPlanProblem(field + "[\(i)]", "'\(printable(name))' is listed twice"))
        }
    }

    /// What a plan's values cannot hold either (`NodeReader.isUnsafe`): C0, DEL, C1, bidirectional
    /// controls and the Unicode line and paragraph separators.
    static func hasControl(_ value: String) -> Bool {
        value.unicodeScalars.contains(where: NodeReader.isUnsafe)
    }

    /// The value for a one-line message: control characters as `\u{..}`.
    static func printable(_ value: String) -> String {
        String(value.unicodeScalars.map { hasControl(String($0)) ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined().prefix(200))
    }
}
