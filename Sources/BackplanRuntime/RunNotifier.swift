import BackplanCore
import Foundation

/// Step 10's webhook (docs/run-contract.md), as the script's `bp_notify`: when the run's outcome
/// (`success`, `partial`, `failure`) is in `notify.on`, its runs.jsonl line is POSTed with curl. The URL is
/// a secret: read at run time (the first line of `url_file`, or the variable `url_env` names), it reaches
/// curl only through its config on standard input, never a command line or the log, and curl's own
/// messages are dropped. A failed notification is a warning; it never changes the run's exit status.
public struct RunNotifier {
    public var notify: CompiledNotify
    public var log: RunLog
    public var environment = ProcessInfo.processInfo.environment

    /// The same options as the script: 10 s per try, two retries of what curl deems transient.
    static let curlArguments = [
        "curl", "--config", "-", "--silent", "--proto", "=http,https", "--max-time", "10", "--retry", "2",
        "--retry-delay", "1", "--retry-max-time", "30", "--header", "Content-Type: application/json",
        "--output", "/dev/null", "--write-out", "%{http_code}",
    ]

    public init(notify: CompiledNotify, log: RunLog) {
        self.notify = notify
        self.log = log
    }

    /// The `notify.on` event of an exit status.
    public static func event(exit: Int32) -> Notify.Event { exit == RunContract.Exit.ok.rawValue ? .success : exit == RunContract.Exit.partial.rawValue ? .partial : .failure }

    /// Sends `record` (one runs.jsonl line, without its line break) if `exit`'s event is wanted.
    public func send(_ record: String, exit: Int32) {
        let event = Self.event(exit: exit)
        guard notify.on.contains(event), let url = url() else { return }
        guard Self.inPath("curl", environment["PATH"]) else {
            return log.log("notify: warning: curl not found; no notification sent", step: .notify)
        }
        let config = "url = \(Self.configString(url))\ndata-binary = \(Self.configString(record + "\n"))\n"
        let (status, code) = ChildProcess.capture(Self.curlArguments, input: Data(config.utf8))
        if status == 0 && code.count == 3 && code.hasPrefix("2") {
            log.log("notify: webhook notified (\(event), HTTP \(code))", step: .notify)
        } else if code.count == 3, code.allSatisfy(\.isNumber), !code.hasPrefix("0") {
            log.log("notify: warning: the webhook failed (HTTP \(code)); the run's status is unchanged", step: .notify)
        } else {
            log.log("notify: warning: the webhook failed (curl status \(status)); the run's status is unchanged", step: .notify)
        }
    }

    /// The URL, or nil after a warning that names where it should have come from (never the URL).
    func url() -> String? {
        let text: String
        if let file = notify.webhookURLFile {
            guard let contents = try? String(contentsOfFile: file, encoding: .utf8) else {
                log.log("notify: warning: cannot read the webhook URL file \(file); no notification sent", step: .notify)
                return nil
            }
            text = contents
        } else {
            text = notify.webhookURLEnv.flatMap { environment[$0] } ?? ""
        }
        var url = String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        if url.hasSuffix("\r") { url.removeLast() }
        let scheme = url.hasPrefix("http://") ? 7 : url.hasPrefix("https://") ? 8 : 0
        guard scheme > 0, url.count > scheme,
              url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F })
        else {
            let origin = notify.webhookURLFile ?? "$" + (notify.webhookURLEnv ?? "")
            log.log("notify: warning: the webhook URL (\(origin)) is not an http(s) URL; no notification sent", step: .notify)
            return nil
        }
        return url
    }

    /// A double-quoted string of curl's config syntax (`\\` and `\"` escaped; a line break as `\n`).
    static func configString(_ value: String) -> String {
        var out = "\""
        for ch in value.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }

    /// An executable `name` in one of PATH's folders.
    static func inPath(_ name: String, _ path: String?) -> Bool {
        (path ?? "/usr/bin:/bin").split(separator: ":").contains { access("\($0)/\(name)", X_OK) == 0 }
    }
}
