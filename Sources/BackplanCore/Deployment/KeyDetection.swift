import Foundation

/// Where one of Open WebUI's keys comes from (never its value). A saved deployment lists
/// `WEBUI_SECRET_KEY` (signs sessions: a new one logs everyone out) and the two OAuth encryption keys
/// (OAuth sessions, tool and MCP tokens: a new one makes them unreadable), which default to it.
public struct KeyInfo: Codable, Hashable, Sendable {
    public enum Source: String, Codable, Sendable {
        /// Written in the compose file's `environment:`.
        case composeInline = "compose-inline"
        /// From the `.env` file beside the compose file (`${VAR}` or a bare `VAR`).
        case composeDotEnv = "compose-dotenv"
        /// From the environment of the shell that runs compose (`${VAR}` or a bare `VAR`).
        case shellEnvironment = "shell-environment"
        /// From an `env_file:` of the service.
        case envFile = "env-file"
        /// Not set: the image's start script generates `/app/backend/.webui_secret_key` in the container
        /// layer, which a re-created container does not have.
        case generatedInContainer = "generated-in-container"
        /// Not set: Open WebUI falls back to `WEBUI_SECRET_KEY` (the OAuth keys).
        case secretKeyFallback = "secret-key-fallback"
    }

    /// The variable, e.g. `WEBUI_SECRET_KEY`.
    public var name: String
    public var source: Source
    /// The host path of the file holding it (compose file, `.env`, env_file), or the container path of
    /// the generated key file; nil for the shell's environment and the fallback.
    public var file: String?
    /// Whether git tracks `file` (a key in a committed file is a leaked key); nil when not asked (no
    /// file on the host, not in a git work tree, or git not installed).
    public var committed: Bool?

    public init(name: String, source: Source, file: String? = nil, committed: Bool? = nil) {
        self.name = name
        self.source = source
        self.file = file
        self.committed = committed
    }

    /// Whether the value is written in a file on the host (compose file, `.env`, env_file).
    public var isInHostFile: Bool {
        [.composeInline, .composeDotEnv, .envFile].contains(source)
    }
}

/// Reads where the app service's keys come from (`KeyInfo`) and whether OAuth is configured.
enum KeyDetection {
    static let secretKey = "WEBUI_SECRET_KEY"
    static let oauthKeys = ["OAUTH_SESSION_TOKEN_ENCRYPTION_KEY", "OAUTH_CLIENT_INFO_ENCRYPTION_KEY"]
    /// Where the image's start script (`start.sh`) keeps the key it generates.
    static let containerKeyFile = "/app/backend/.webui_secret_key"
    /// Variables whose presence means an OAuth provider is configured.
    static let oauthProviders = ["OAUTH_CLIENT_ID", "OPENID_PROVIDER_URL", "GOOGLE_CLIENT_ID", "MICROSOFT_CLIENT_ID",
                                 "GITHUB_CLIENT_ID", "FEISHU_CLIENT_ID"]

    static func keys(_ resolved: ServiceEnvironment.Resolved, compose: ComposeFile, fileSystem: HostFileSystem,
                     git: GitTracking) -> [KeyInfo] {
        ([secretKey] + oauthKeys).map { name in
            guard let value = resolved.values[name], !value.isEmpty, let origin = resolved.origins[name] else {
                return name == secretKey ? KeyInfo(name: name, source: .generatedInContainer, file: containerKeyFile)
                    : KeyInfo(name: name, source: .secretKeyFallback)
            }
            let (source, file): (KeyInfo.Source, String?) = switch origin {
            case .envFile(let path): (.envFile, path)
            case .composeLiteral: (.composeInline, compose.path)
            case .variable(let fromDotEnv): fromDotEnv ? (.composeDotEnv, compose.directory + "/.env") : (.shellEnvironment, nil)
            }
            return KeyInfo(name: name, source: source, file: file, committed: file.flatMap { git.isTracked($0, fileSystem) })
        }
    }

    static func oauthConfigured(_ values: [String: String]) -> Bool {
        oauthProviders.contains { values[$0].map { !$0.isEmpty } ?? false }
    }
}

/// Asks git whether it tracks a file, without letting the repository run anything: the work tree is
/// someone else's input, so `core.fsmonitor` (a command git would run) is switched off, hooks and
/// the system and global configuration are not read, and git's own ownership check stays on.
struct GitTracking: Sendable {
    var environment: [String: String]

    /// true or false when git answered for the file's folder; nil when it is not in a work tree or git
    /// is not installed.
    func isTracked(_ hostPath: String, _ fileSystem: HostFileSystem) -> Bool? {
        let local = fileSystem.localPath(hostPath)
        guard let git = ProcessRunner.executable("git", environment: environment), fileSystem.exists(hostPath) else { return nil }
        let folder = HostPath.directory(of: local)
        let clean = ["PATH": environment["PATH"] ?? "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
                     "HOME": "/nonexistent", "LC_ALL": "C"]
        let arguments = ["-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-C", folder,
                         "ls-files", "--error-unmatch", "--", HostPath.lastComponent(local)]
        guard case .success(let output) = ProcessRunner.run(git, arguments, environment: clean, timeout: 5) else { return nil }
        if output.status == 0 { return true }
        return output.stderr.contains("did not match any file") ? false : nil
    }
}
