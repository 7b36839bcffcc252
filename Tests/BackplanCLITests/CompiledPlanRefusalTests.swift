import BackplanCore
import Foundation
import Testing

/// plan.json is untrusted input: every command that reads it refuses one that is not exactly what this
/// version writes, with one line naming the field, exit 1, and nothing written or deleted (issue 9, parts 3-4).
@Suite struct CompiledPlanRefusalTests {
    typealias Mutation = @Sendable (inout [String: Any]) -> Void

    static func job(_ plan: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
        var jobs = plan["jobs"] as! [[String: Any]]
        edit(&jobs[0])
        plan["jobs"] = jobs
    }

    static func target(_ plan: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
        var targets = plan["targets"] as! [[String: Any]]
        edit(&targets[0])
        plan["targets"] = targets
    }

    /// A compose section with one field replaced.
    static func compose(_ field: String, _ value: String) -> [String: Any] {
        var compose: [String: Any] = ["file": "/srv/owui/compose.yaml", "project": "owui", "service": "open-webui",
                                      "command": ["docker", "compose"]]
        compose[field] = value
        return compose
    }

    /// Each case: the edit and the field the refusal must name.
    static let cases: [(name: String, field: String, edit: Mutation)] = [
        ("unknown-field", "field 'extra'", { $0["extra"] = true }),
        ("unknown-target-type", "field 'targets[0].type'", { target(&$0) { $0["type"] = "ftp" } }),
        ("key-of-another-type", "field 'targets[0].remote'", { target(&$0) { $0["remote"] = "b2:bucket" } }),
        ("wrong-type", "field 'jobs[0].verify'", { job(&$0) { $0["verify"] = 3 } }),
        ("unknown-verify", "field 'jobs[0].verify'", { job(&$0) { $0["verify"] = "paranoid" } }),
        ("relative-target-path", "field 'targets[0].path'", { target(&$0) { $0["path"] = "backups" } }),
        ("newer-format", "field 'format'", { $0["format"] = 2 }),
        ("unknown-source", "field 'jobs[0].sources[0]'", { job(&$0) { $0["sources"] = ["nope"] } }),
        ("no-source", "field 'jobs[0].sources'", { job(&$0) { $0["sources"] = [String]() } }),
        ("plan-name-escapes", "field 'name'", { $0["name"] = "../../x" }),
        ("job-name-escapes", "field 'jobs[0].name'", { job(&$0) { $0["name"] = "../../x" } }),
        ("empty-state-dir", "field 'state_dir'", { $0["state_dir"] = "" }),
        ("dotdot-data-dir", "field 'data_dir'", { $0["data_dir"] = ($0["data_dir"] as! String) + "/../data" }),
        ("compose-project-uppercase", "field 'compose.project'", { $0["compose"] = compose("project", "My Project") }),
        ("compose-project-option", "field 'compose.project'", { $0["compose"] = compose("project", "-p") }),
        ("compose-service-option", "field 'compose.service'", { $0["compose"] = compose("service", "--rm") }),
        ("compose-service-space", "field 'compose.service'", { $0["compose"] = compose("service", "open webui") }),
        ("compose-file-relative", "field 'compose.file'", { $0["compose"] = compose("file", "compose.yaml") }),
        ("compose-file-bidi", "field 'compose.file'", { $0["compose"] = compose("file", "/srv/\u{202E}lmay.esopmoc") }),
        ("source-dotdot", "field 'source'", { $0["source"] = "plans/../../etc/owui.yaml" }),
        ("source-absolute", "field 'source'", { $0["source"] = "/etc/owui.yaml" }),
        ("source-escape", "field 'source'", { $0["source"] = "plans/\u{1B}[2Jowui.yaml" }),
        ("source-bidi", "field 'source'", { $0["source"] = "plans/\u{202E}lmay.iuwo" }),
        ("source-empty", "field 'source'", { $0["source"] = "" }),
    ]

    /// A valid plan: webui.db into a local target, keep_last 1, so a run after the first removes the first.
    static func plan(root: String) -> [String: Any] {
        [
            "format": 1, "name": "owui", "source": "plans/owui.yaml", "data_dir": root + "/data",
            "state_dir": root + "/state",
            "sources": [["name": "database", "kind": "sqlite", "path": "webui.db", "absolute_path": root + "/data/webui.db",
                         "exclude": [String]()]],
            "targets": [["name": "local", "type": "local", "path": root + "/a/b/backups"]],
            "jobs": [[
                "name": "daily", "sources": ["database"], "targets": ["local"], "verify": "none",
                "retention": ["keep_last": 1],
                "quiesce": ["method": "none", "names": [String](), "stop_commands": [String](), "start_commands": [String]()],
                "schedule": ["expression": "*-*-* 03:15", "syntax": "calendar", "on_calendar": ["*-*-* 03:15:00"], "cron": "15 3 * * *"],
            ]],
            "install": ["script_dir": "/usr/local/lib/backplan/owui", "cron_file": "/etc/cron.d/backplan-owui",
                        "unit_dir": "/etc/systemd/system"],
        ]
    }

    static func write(_ plan: [String: Any], to path: String) throws {
        let data = try JSONSerialization.data(withJSONObject: plan, options: [.sortedKeys, .prettyPrinted])
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Every file and folder under `root` with its size and modification time.
    static func tree(_ root: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/find")
        p.arguments = [root, "-printf", "%P %y %s %T@\n"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").sorted().joined(separator: "\n")
    }

    /// A folder with a database and one earlier snapshot, made by a real run of the valid plan.
    static func prepare(_ dir: borrowing TemporaryDirectory) throws -> String {
        try FileManager.default.createDirectory(atPath: dir.path + "/data", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.path + "/a/b/backups", withIntermediateDirectories: true)
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [dir.path + "/data/webui.db", "CREATE TABLE t(x); INSERT INTO t VALUES (1);"]
        try sqlite.run()
        sqlite.waitUntilExit()
        try write(plan(root: dir.path), to: dir.path + "/valid.json")
        let first = try Backplan.run(["run", dir.path + "/valid.json", "daily"], in: dir.path, timeout: 60)
        #expect(first.status == 0, "\(first.stderr)")
        let snapshots = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/a/b/backups/owui/daily")
        #expect(snapshots.count == 1, "one earlier snapshot: \(snapshots)")
        return dir.path + "/bad/plan.json"
    }

    @Test(arguments: cases.map(\.name))
    func everyCommandRefusesIt(_ name: String) throws {
        let entry = try #require(Self.cases.first { $0.name == name })
        let dir = try TemporaryDirectory()
        let path = try Self.prepare(dir)
        var plan = Self.plan(root: dir.path)
        entry.edit(&plan)
        try FileManager.default.createDirectory(atPath: dir.path + "/bad", withIntermediateDirectories: true)
        try Self.write(plan, to: path)
        let job = ((plan["jobs"] as? [[String: Any]])?.first?["name"] as? String) ?? "daily"
        let rootLockExisted = FileManager.default.fileExists(atPath: "/lock")
        let before = try Self.tree(dir.path)
        let commands: [[String]] = [
            ["run", path, job], ["snapshots", path], ["verify", path], ["prune", path],
            ["restore", path, "--target", "local", "--to", dir.path + "/restored"], ["status", path], ["recover", path],
        ]
        for command in commands {
            let r = try Backplan.run(command, in: dir.path, timeout: 60)
            #expect(r.status == 1, "\(command[0]): \(r.stderr)")
            #expect(!r.crashed)
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(command[0]): one line: \(r.stderr)")
            #expect(r.stderr.hasPrefix("error: \(path) is not a plan.json this backplan wrote: \(entry.field)"), "\(command[0]): \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(command[0]): \(r.stdout)")
        }
        #expect(try Self.tree(dir.path) == before, "nothing written or deleted; the earlier snapshot is untouched")
        #expect(rootLockExisted || !FileManager.default.fileExists(atPath: "/lock"))
    }

    @Test func aTruncatedPlanIsRefused() throws {
        let dir = try TemporaryDirectory()
        let path = try Self.prepare(dir)
        let valid = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/valid.json"))
        try FileManager.default.createDirectory(atPath: dir.path + "/bad", withIntermediateDirectories: true)
        try valid.prefix(valid.count / 2).write(to: URL(fileURLWithPath: path))
        let before = try Self.tree(dir.path)
        let r = try Backplan.run(["run", path, "daily"], in: dir.path, timeout: 60)
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: \(path) is not a plan.json this backplan wrote: is not JSON"), "\(r.stderr)")
        #expect(try Self.tree(dir.path) == before)
    }

    /// The committed plans read back as they are, and write back byte for byte.
    @Test func committedPlansReadBack() throws {
        let generated = Backplan.repository + "/generated"
        let names = try FileManager.default.contentsOfDirectory(atPath: generated).sorted()
        #expect(!names.isEmpty)
        for name in names {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(generated)/\(name)/plan.json"))
            let plan = try CompiledPlanReader.read(data).get()
            #expect(plan.canonicalJSON() == String(decoding: data, as: UTF8.self), "\(name)")
        }
    }
}
