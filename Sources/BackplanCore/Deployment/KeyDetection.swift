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
        /// A pip install run by systemd: an `Environment=` line of the unit that runs `open-webui serve`.
        case unitEnvironment = "unit-environment"
        /// A pip install, not set: `open-webui serve` reads or generates `.webui_secret_key` in the folder
        /// it starts from (the unit's `WorkingDirectory=`, `/` when the unit names none).
        case generatedInWorkingDirectory = "generated-in-working-directory"
        /// A container started without compose (`docker run -e`, `--env-file`): the value is in the
        /// container's configuration (`Config.Env` of `docker inspect`), which `docker rm` loses; no file
        /// on the host holds it that detection can see (an `--env-file` is read once, when the container is
        /// created).
        case containerEnvironment = "container-environment"
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
        [.composeInline, .composeDotEnv, .envFile, .unitEnvironment].contains(source)
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

    /// A pip install started by systemd: the keys of the first unit (by folder, then name) whose
    /// `ExecStart=` runs `open-webui serve`, from its `Environment=` lines and `EnvironmentFile=`s (read
    /// as env files; a later one wins, as systemd does), else the key file `open-webui serve` generates
    /// in the unit's `WorkingDirectory=`; with the app's environment those values say. Nil without such a unit.
    static func unitKeys(_ fileSystem: HostFileSystem, git: GitTracking) -> (keys: [KeyInfo], environment: AppEnvironment)? {
        guard let unit = SystemdAppUnit.find(fileSystem) else { return nil }
        var values: [String: String] = [:]
        var origin: [String: (KeyInfo.Source, String)] = [:]
        for (key, value) in unit.environment {
            values[key] = value
            origin[key] = (.unitEnvironment, unit.path)
        }
        for file in unit.environmentFiles {
            guard case .success(let bytes) = fileSystem.read(file) else { continue }
            for (key, value) in EnvFile(parsing: String(decoding: bytes, as: UTF8.self)).entries {
                values[key] = value
                origin[key] = (.envFile, file)
            }
        }
        let keys = ([secretKey] + oauthKeys).map { name -> KeyInfo in
            guard let value = values[name], !value.isEmpty, let (source, file) = origin[name] else {
                return name == secretKey
                    ? KeyInfo(name: name, source: .generatedInWorkingDirectory,
                              file: HostPath.normalize(unit.workingDirectory + "/.webui_secret_key"))
                    : KeyInfo(name: name, source: .secretKeyFallback)
            }
            return KeyInfo(name: name, source: source, file: file, committed: git.isTracked(file, fileSystem))
        }
        return (keys, ServiceEnvironment.appEnvironment(values))
    }

    /// A container started without compose: a key set in its environment (`Config.Env`) is
    /// `container-environment`; an unset or empty `WEBUI_SECRET_KEY` is generated in the container layer
    /// as under compose; an unset OAuth key falls back to it.
    static func containerKeys(_ environment: [String: String]) -> [KeyInfo] {
        ([secretKey] + oauthKeys).map { name in
            if let value = environment[name], !value.isEmpty { return KeyInfo(name: name, source: .containerEnvironment) }
            return name == secretKey ? KeyInfo(name: name, source: .generatedInContainer, file: containerKeyFile)
                : KeyInfo(name: name, source: .secretKeyFallback)
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

/// The systemd unit that runs a pip install of Open WebUI (`ExecStart=… open-webui serve …`): its file,
/// its `WorkingDirectory=` (`/` when unset, systemd's default), `Environment=` assignments and
/// `EnvironmentFile=` paths. Read as text from the unit folders; never executed, never asked of systemd.
struct SystemdAppUnit {
    static let folders = ["/etc/systemd/system", "/usr/local/lib/systemd/system", "/lib/systemd/system"]

    var path: String
    var workingDirectory = "/"
    var environment: [(key: String, value: String)] = []
    var environmentFiles: [String] = []

    static func find(_ fileSystem: HostFileSystem) -> SystemdAppUnit? {
        for folder in folders {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: fileSystem.localPath(folder))) ?? []
            for name in names.sorted() where name.hasSuffix(".service") {
                let path = folder + "/" + name
                guard case .success(let bytes) = fileSystem.read(path), bytes.count <= 1 << 20,
                      let unit = parse(String(decoding: bytes, as: UTF8.self), path: path) else { continue }
                return unit
            }
        }
        return nil
    }

    /// The unit when its `[Service]` section runs `open-webui serve`; nil otherwise.
    static func parse(_ text: String, path: String) -> SystemdAppUnit? {
        var unit = SystemdAppUnit(path: path)
        var section = ""
        var runsApp = false
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") { section = line; continue }
            guard section == "[Service]", !line.hasPrefix("#"), !line.hasPrefix(";"), let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "ExecStart":
                let words = value.split(separator: " ")
                if words.contains(where: { $0.hasSuffix("open-webui") }), words.contains("serve") { runsApp = true }
            case "WorkingDirectory":
                let dir = value.hasPrefix("-") ? String(value.dropFirst()) : value
                if dir.hasPrefix("/") { unit.workingDirectory = HostPath.normalize(dir) }
            case "Environment":
                for word in words(value) {
                    guard let eq = word.firstIndex(of: "="), EnvFile.isValidKey(String(word[..<eq])) else { continue }
                    unit.environment.append((String(word[..<eq]), String(word[word.index(after: eq)...])))
                }
            case "EnvironmentFile":
                let file = value.hasPrefix("-") ? String(value.dropFirst()) : value
                if file.hasPrefix("/") { unit.environmentFiles.append(HostPath.normalize(file)) }
            default:
                break
            }
        }
        return runsApp ? unit : nil
    }

    /// `Environment=`'s words: separated by blanks, a double-quoted word may hold blanks.
    static func words(_ value: String) -> [String] {
        var out: [String] = [], current = "", quoted = false, any = false
        for c in value {
            if c == "\"" { quoted.toggle(); any = true } else if c == " " && !quoted {
                if any { out.append(current) }
                current = ""
                any = false
            } else {
                current.append(c)
                any = true
            }
        }
        if any { out.append(current) }
        return out
    }
}
