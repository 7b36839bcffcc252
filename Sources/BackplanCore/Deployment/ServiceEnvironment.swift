/// A service's environment as the container sees it: `env_file:` files in order, then
/// `environment:` on top; a bare `KEY` takes the value from the interpolation variables.
enum ServiceEnvironment {
    /// Where a variable's value came from.
    enum Origin: Hashable {
        /// The `env_file:` at this host path.
        case envFile(String)
        /// Written as it is in the compose file's `environment:`.
        case composeLiteral
        /// Interpolated (`${NAME}`) or a bare `NAME`: from the `.env` beside the compose file when the
        /// process environment does not hold NAME, else from the process environment.
        case variable(fromDotEnv: Bool)
    }

    struct Resolved {
        var values: [String: String] = [:]
        var origins: [String: Origin] = [:]
        var diagnostics: [Diagnostic] = []
    }

    /// `processEnvironment` (the shell's, which wins over `.env`) and `composeText` (the compose file
    /// as written, to tell a literal value from an interpolated one) only decide origins.
    static func resolve(_ service: ComposeService, compose: ComposeFile, variables: [String: String],
                        processEnvironment: [String: String] = [:], composeText: String? = nil,
                        fileSystem: HostFileSystem, file: String) -> Resolved {
        var values: [String: String] = [:]
        var origins: [String: Origin] = [:]
        var diagnostics: [Diagnostic] = []
        let composeLines = composeText.map { $0.split(separator: "\n", omittingEmptySubsequences: false) } ?? []
        for reference in service.envFiles {
            let path = HostPath.normalize(HostPath.absolute(reference.path, against: compose.directory))
            switch fileSystem.read(path) {
            case .failure(let failure):
                guard reference.required else { continue }
                diagnostics.append(Diagnostic(.composeInvalid, "env_file '\(reference.path)' of service '\(service.name)' cannot be read: \(failure.reason)",
                                              file: file, at: reference.location, length: reference.path.count,
                                              help: "env_file paths are relative to the compose file's folder (\(compose.directory))"))
            case .success(let bytes):
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    diagnostics.append(Diagnostic(.invalidEncoding, "env_file '\(reference.path)' is not valid UTF-8 text",
                                                  file: file, at: reference.location))
                    continue
                }
                let envFile = EnvFile(parsing: text, lookup: variables)
                for problem in envFile.problems {
                    diagnostics.append(Diagnostic(.composeInvalid, problem.message, severity: .warning, file: path,
                                                  at: SourceLocation(line: problem.line, column: 1)))
                }
                values.merge(envFile.values) { _, new in new }
                for key in envFile.values.keys { origins[key] = .envFile(path) }
            }
        }
        for variable in service.environment {
            if let value = variable.value {
                values[variable.key] = value
                let line = composeLines.indices.contains(variable.location.line - 1) ? composeLines[variable.location.line - 1] : ""
                if let name = referencedVariable(in: line) {
                    origins[variable.key] = .variable(fromDotEnv: processEnvironment[name] == nil)
                } else {
                    origins[variable.key] = .composeLiteral
                }
            } else if let value = variables[variable.key] {
                values[variable.key] = value
                origins[variable.key] = .variable(fromDotEnv: processEnvironment[variable.key] == nil)
            } else {
                values[variable.key] = nil
                origins[variable.key] = nil
            }
        }
        return Resolved(values: values, origins: origins, diagnostics: diagnostics)
    }

    /// The first variable a compose line interpolates (`${NAME…}` or `$NAME`; `$$` is a literal `$`),
    /// with `ComposeInterpolation`'s rule for names.
    static func referencedVariable(in line: Substring) -> String? {
        var rest = line.unicodeScalars[...]
        while let dollar = rest.firstIndex(of: "$") {
            rest = rest[rest.index(after: dollar)...]
            if rest.first == "$" {
                rest = rest.dropFirst()
                continue
            }
            if rest.first == "{" { rest = rest.dropFirst() }
            guard let first = rest.first, ComposeInterpolation.isNameStart(first) else { continue }
            return String(String.UnicodeScalarView(rest.prefix(while: ComposeInterpolation.isNameBody)))
        }
        return nil
    }

    /// The variables that decide where Open WebUI keeps its data; secrets reduced to set/empty/unset.
    static func appEnvironment(_ values: [String: String]) -> AppEnvironment {
        var environment = AppEnvironment()
        environment.dataDir = values["DATA_DIR"]
        environment.databaseScheme = values["DATABASE_URL"].flatMap(scheme)
        environment.databaseType = values["DATABASE_TYPE"]
        environment.vectorDB = values["VECTOR_DB"]
        environment.storageProvider = values["STORAGE_PROVIDER"]
        environment.oauthConfigured = KeyDetection.oauthConfigured(values) ? true : nil
        switch values["WEBUI_SECRET_KEY"] {
        case nil: environment.secretKey = .unset
        case let value? where value.isEmpty: environment.secretKey = .empty
        default: environment.secretKey = .set
        }
        return environment
    }

    /// `postgresql+psycopg2://u:p@h/db` → `postgresql+psycopg2`; nothing of the rest is kept.
    static func scheme(_ url: String) -> String? {
        guard let colon = url.firstIndex(of: ":") else { return url.isEmpty ? nil : "unknown" }
        let scheme = url[..<colon].lowercased()
        let valid = !scheme.isEmpty && scheme.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "+" || $0 == "-" || $0 == "."
        }
        return valid ? scheme : "unknown"
    }
}
