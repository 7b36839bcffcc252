/// Reads a compose file from the host: its bytes, the `.env` beside it, then `ComposeParser`.
public enum ComposeLoader {
    /// What loading gave: the compose file (nil when unreadable or invalid), the interpolation
    /// variables (the `.env` file under the process environment), and the problems.
    public struct Loaded: Sendable {
        public var compose: ComposeFile?
        public var variables: [String: String]
        public var diagnostics: [Diagnostic]
        /// The file as written (before interpolation), when it could be read.
        public var text: String?
    }

    /// Loads the compose file at host path `hostPath`, naming it `display` in diagnostics.
    public static func load(hostPath: String, display: String, fileSystem: HostFileSystem,
                            environment: [String: String]) -> Loaded {
        var diagnostics: [Diagnostic] = []
        let bytes: [UInt8]
        switch fileSystem.read(hostPath) {
        case .failure(let failure):
            let under = fileSystem.root == nil ? "" : " (looked up as \(fileSystem.localPath(hostPath)))"
            diagnostics.append(Diagnostic(.unreadableFile, "cannot read the compose file: \(failure.reason)\(under)",
                                          file: display, help: "pass the compose file with --compose FILE"))
            return Loaded(compose: nil, variables: environment, diagnostics: diagnostics, text: nil)
        case .success(let read):
            bytes = read
        }
        let dotEnvPath = HostPath.directory(of: hostPath) == "/" ? "/.env" : HostPath.directory(of: hostPath) + "/.env"
        var variables = environment
        if fileSystem.exists(dotEnvPath), case .success(let envBytes) = fileSystem.read(dotEnvPath) {
            if let text = String(validating: envBytes, as: UTF8.self) {
                let envFile = EnvFile(parsing: text, lookup: environment)
                for problem in envFile.problems {
                    diagnostics.append(Diagnostic(.composeInvalid, problem.message, severity: .warning, file: dotEnvPath,
                                                  at: SourceLocation(line: problem.line, column: 1)))
                }
                variables = envFile.values.merging(environment) { _, process in process }
            } else {
                diagnostics.append(Diagnostic(.invalidEncoding, "the .env file is not valid UTF-8 text", file: dotEnvPath))
            }
        }
        let parsed = ComposeParser.parse(bytes, file: display, path: hostPath, variables: variables)
        return Loaded(compose: parsed.compose, variables: variables, diagnostics: diagnostics + parsed.diagnostics,
                      text: String(decoding: bytes, as: UTF8.self))
    }
}
