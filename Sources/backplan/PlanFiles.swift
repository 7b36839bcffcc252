import BackplanCore
import Foundation

/// Reading plan files and their saved deployments from disk, for the commands.
enum PlanFiles {
    /// The plans named on the command line (a path, or a name under plans/), or every plans/*.yaml.
    static func resolve(_ arguments: [String]) -> (paths: [String], diagnostics: [Diagnostic]) {
        guard arguments.isEmpty else {
            return (arguments.map { arg in
                if arg.contains("/") || arg.hasSuffix(".yaml") || arg.hasSuffix(".yml") { return arg }
                return "plans/\(arg).yaml"
            }, [])
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "plans")) ?? []
        let plans = names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }.sorted()
        if plans.isEmpty {
            return ([], [Diagnostic(.unreadableFile, "no plans found: plans/*.yaml does not exist here", file: "plans",
                                    help: "run from the repository root, name a plan file, or write one with 'backplan init -o plans/NAME.yaml'")])
        }
        return (plans.map { "plans/\($0)" }, [])
    }

    /// The bytes of a regular file of at most `limit` bytes, or a diagnostic saying why not.
    /// Never opens a FIFO or device (that could hang) and never reads more than `limit + 1` bytes.
    static func read(_ path: String, limit: Int = YAMLLimits().maxBytes) -> Result<[UInt8], Diagnostic> {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            return .failure(Diagnostic(.unreadableFile, "cannot read '\(path)': \(reason)", file: path,
                                       help: errno == ENOENT ? "check the path; plans are found under plans/ by name" : nil))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            return .failure(Diagnostic(.unreadableFile, "'\(path)' is a directory, not a plan file", file: path,
                                       help: "name a .yaml file inside it"))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            return .failure(Diagnostic(.unreadableFile, "'\(path)' is not a regular file", file: path))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(Diagnostic(.unreadableFile, "cannot open '\(path)' for reading", file: path,
                                       help: "check its permissions"))
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: limit + 1)).flatMap { $0 } ?? Data()
        return .success(Array(data))
    }

    /// The saved deployment beside a plan: nil when there is none, a diagnostic when it is broken.
    static func savedDeployment(for planPath: String) -> (deployment: Deployment?, path: String, diagnostic: Diagnostic?) {
        let path = Deployment.savedPath(forPlan: planPath)
        guard FileManager.default.fileExists(atPath: path) else { return (nil, path, nil) }
        return loadDeployment(at: path)
    }

    /// A deployment saved by `detect --json`, or a diagnostic saying why it cannot be read.
    static func loadDeployment(at path: String) -> (deployment: Deployment?, path: String, diagnostic: Diagnostic?) {
        switch read(path, limit: 16 << 20) {
        case .failure(let diagnostic):
            return (nil, path, diagnostic)
        case .success(let bytes):
            do {
                let deployment = try JSONDecoder().decode(Deployment.self, from: Data(bytes))
                guard deployment.format == Deployment.currentFormat else {
                    return (nil, path, Diagnostic(.invalidDeployment, "'\(path)' has format \(deployment.format); this backplan reads format \(Deployment.currentFormat)",
                                                  file: path, help: "run 'backplan detect --json' again on the server and save its output here"))
                }
                if let problem = deployment.problems().first {
                    return (nil, path, Diagnostic(.invalidDeployment, "'\(path)': '\(problem.field)' \(problem.message)",
                                                  file: path, help: "correct '\(problem.field)' in \(path), or run 'backplan detect --json > \(path)' on the server again"))
                }
                return (deployment, path, nil)
            } catch {
                return (nil, path, Diagnostic(.invalidDeployment, "'\(path)' is not a deployment saved by 'backplan detect --json': \(describe(error))",
                                              file: path, help: "run 'backplan detect --json > \(path)' on the server"))
            }
        }
    }

    /// The POSIX reason behind a Foundation file error ("Permission denied"), when there is one.
    static func reason(of error: Error) -> String? {
        guard let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
              underlying.domain == NSPOSIXErrorDomain else { return nil }
        return String(cString: strerror(Int32(underlying.code)))
    }

    /// A short, human description of a JSON decoding error.
    static func describe(_ error: Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            return "missing '\(([key] + context.codingPath.reversed()).reversed().map(\.stringValue).joined(separator: "."))'"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case .dataCorrupted(let context)?:
            return context.codingPath.isEmpty ? "not valid JSON" : "bad value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        default:
            return "unreadable"
        }
    }
}
