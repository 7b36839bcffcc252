@testable import BackplanCore
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// The plan's webhook, in both executors, against a real HTTP server on 127.0.0.1: the body is the run's
/// runs.jsonl line, only the listed events notify, a failing webhook never changes the exit status, and
/// the URL (a secret) shows in no log, no runs.jsonl and no command line.
@Suite struct RunNotifyTests {
    enum URLSource: String, CaseIterable, CustomStringConvertible, Sendable {
        case file, env
        var description: String { rawValue }
    }

    static let variable = "BACKPLAN_TEST_WEBHOOK"

    /// A fresh secret for one test, as it would sit in a webhook URL's path.
    static func token() -> String { "tok-" + UUID().uuidString.lowercased() }

    /// The harness's plan with a webhook whose URL is in `<root>/webhook.url` (or the variable).
    static func plan(_ h: RunHarness, on: [Notify.Event], source: URLSource = .file) -> CompiledPlan {
        var plan = h.plan()
        plan.notify = CompiledNotify(on: on, webhookURLFile: source == .file ? h.root + "/webhook.url" : nil,
                                     webhookURLEnv: source == .env ? variable : nil)
        return plan
    }

    /// Runs the plan's job with `executor`; the URL goes to the file and the variable.
    static func run(_ executor: Executor, _ h: RunHarness, _ plan: CompiledPlan, url: String,
                    path: String? = nil) throws -> ExecutorRun {
        try (url + "\n").write(toFile: h.root + "/webhook.url", atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment[variable] = url
        if let path { environment["PATH"] = path }
        return try executor.run(h, plan, environment: environment)
    }

    /// The secret is nowhere the run writes: its output, runs.jsonl, the script.
    static func expectNoSecret(_ token: String, _ h: RunHarness, _ result: ExecutorRun) {
        let runs = (try? String(contentsOfFile: h.stateDir + "/runs.jsonl", encoding: .utf8)) ?? ""
        let script = (try? String(contentsOfFile: h.root + "/daily.sh", encoding: .utf8)) ?? ""
        for (name, text) in [("stderr", result.stderr), ("stdout", result.stdout), ("runs.jsonl", runs), ("script", script)] {
            #expect(!text.contains(token), "the webhook token is in \(name)")
        }
    }

    @Test(arguments: Executor.allCases, URLSource.allCases)
    func postsTheRunRecord(executor: Executor, source: URLSource) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let token = Self.token()
        let server = try WebhookServer(dir: h.root + "/server", token: token)
        defer { server.stop() }
        let plan = Self.plan(h, on: [.failure, .partial, .success], source: source)
        let result = try Self.run(executor, h, plan, url: "http://127.0.0.1:\(server.port)/hook/\(token)?key=\(token)")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("notify: webhook notified (success, HTTP 200)"), "\(result.stderr)")
        let requests = server.requests
        try #require(requests.count == 1, "\(result.stderr)")
        let runs = try String(contentsOfFile: h.stateDir + "/runs.jsonl", encoding: .utf8)
        #expect(requests[0]["body"] as? String == runs, "the body is the runs.jsonl line")
        #expect(requests[0]["path"] as? String == "/hook/\(token)?key=\(token)")
        #expect(requests[0]["content_type"] as? String == "application/json")
        #expect(requests[0]["argv_hits"] as? Int == 0, "no command line held the URL while it was sent")
        Self.expectNoSecret(token, h, result)
    }

    @Test(arguments: Executor.allCases)
    func notifiesOnlyTheListedEvents(executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let token = Self.token()
        let server = try WebhookServer(dir: h.root + "/server", token: token)
        defer { server.stop() }
        let plan = Self.plan(h, on: [.failure])
        let url = "http://127.0.0.1:\(server.port)/hook/\(token)"
        let ok = try Self.run(executor, h, plan, url: url)
        #expect(ok.status == 0 && !ok.stderr.contains("notify:"), "\(ok.stderr)")
        #expect(server.requests.isEmpty, "on: [failure] does not notify a successful run")

        try FileManager.default.moveItem(atPath: h.dataDir, toPath: h.dataDir + ".gone")
        let failed = try Self.run(executor, h, plan, url: url)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("notify: webhook notified (failure, HTTP 200)"), "\(failed.stderr)")
        let requests = server.requests
        try #require(requests.count == 1)
        let body = try #require(requests[0]["body"] as? String)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(record["status"] as? String == "failed" && record["exit"] as? Int == 1)
        let runs = try String(contentsOfFile: h.stateDir + "/runs.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(runs.count == 2 && body == runs[1] + "\n", "the body is the failed run's line")
        Self.expectNoSecret(token, h, failed)
    }

    /// HTTP 500 (retried twice, then a warning), an unreachable webhook, an unreadable URL file, text that
    /// is not a URL, and no curl on PATH: every run still exits 0 and says why no notification went out.
    @Test(arguments: Executor.allCases)
    func aFailingWebhookLeavesTheExitStatus(executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let token = Self.token()
        let server = try WebhookServer(dir: h.root + "/server", status: 500, token: token)
        let plan = Self.plan(h, on: [.success])
        let url = "http://127.0.0.1:\(server.port)/hook/\(token)"

        let serverError = try Self.run(executor, h, plan, url: url)
        #expect(serverError.status == 0, "\(serverError.stderr)")
        #expect(serverError.stderr.contains("notify: warning: the webhook failed (HTTP 500); the run's status is unchanged"), "\(serverError.stderr)")
        #expect(server.requests.count == 3, "one try and two retries")
        #expect(server.requests.allSatisfy { $0["argv_hits"] as? Int == 0 })
        Self.expectNoSecret(token, h, serverError)
        server.stop()

        let unreachable = try Self.run(executor, h, plan, url: url)
        #expect(unreachable.status == 0)
        #expect(unreachable.stderr.contains("notify: warning: the webhook failed (curl status 7)"), "\(unreachable.stderr)")
        Self.expectNoSecret(token, h, unreachable)

        let notURL = try Self.run(executor, h, plan, url: "ftp://127.0.0.1/\(token)")
        #expect(notURL.status == 0)
        #expect(notURL.stderr.contains("notify: warning: the webhook URL (\(h.root)/webhook.url) is not an http(s) URL"), "\(notURL.stderr)")
        Self.expectNoSecret(token, h, notURL)

        var unreadable = plan
        unreadable.notify?.webhookURLFile = h.root + "/missing.url"
        let missing = try Self.run(executor, h, unreadable, url: url)
        #expect(missing.status == 0)
        #expect(missing.stderr.contains("notify: warning: cannot read the webhook URL file \(h.root)/missing.url"), "\(missing.stderr)")

        // Every tool but curl.
        let bin = h.root + "/bin"
        try RunHarness.bash("mkdir \(Shell.quote(bin)) && for f in /usr/bin/*; do [ \"${f##*/}\" = curl ] || ln -s \"$f\" \(Shell.quote(bin))/; done")
        let noCurl = try Self.run(executor, h, plan, url: url, path: bin)
        #expect(noCurl.status == 0, "\(noCurl.stderr)")
        #expect(noCurl.stderr.contains("preflight: warning: curl not found"), "\(noCurl.stderr)")
        #expect(noCurl.stderr.contains("notify: warning: curl not found; no notification sent"), "\(noCurl.stderr)")
        #expect(h.runsLog().count == 5 && h.runsLog().allSatisfy { $0["status"] as? String == "ok" })
    }
}
