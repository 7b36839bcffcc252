import BackplanCore
import Foundation
import Testing

/// CompiledPlanReader on model plan 2 (every remote target type): each edit is refused naming its field.
@Suite struct CompiledPlanReaderTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func modelPlan() throws -> CompiledPlan {
        let data = try Data(contentsOf: URL(fileURLWithPath: repository + "/generated/model-plan-2/plan.json"))
        return try CompiledPlanReader.read(data).get()
    }

    static func index(_ plan: CompiledPlan, _ type: TargetType) -> Int {
        plan.targets.firstIndex { $0.type == type }!
    }

    /// Typed edits that the JSON decoder accepts and the validator refuses.
    static let edits: [(name: String, field: @Sendable (CompiledPlan) -> String, edit: @Sendable (inout CompiledPlan) -> Void)] = [
        ("rsync host as an option", { "targets[\(index($0, .rsync))].host" }, { p in
            let i = index(p, .rsync)
            if case .rsync(var r) = p.targets[i].kind { r.host = "-oProxyCommand=touch /tmp/x"; p.targets[i].kind = .rsync(r) }
        }),
        ("rsync port 0", { "targets[\(index($0, .rsync))].port" }, { p in
            let i = index(p, .rsync)
            if case .rsync(var r) = p.targets[i].kind { r.port = 0; p.targets[i].kind = .rsync(r) }
        }),
        ("rclone remote without a colon", { "targets[\(index($0, .rclone))].remote" }, { p in
            let i = index(p, .rclone)
            if case .rclone(var r) = p.targets[i].kind { r.remote = "bucket"; p.targets[i].kind = .rclone(r) }
        }),
        ("restic relative password file", { "targets[\(index($0, .restic))].password_file" }, { p in
            let i = index(p, .restic)
            if case .restic(var r) = p.targets[i].kind { r.passwordFile = "restic.pass"; p.targets[i].kind = .restic(r) }
        }),
        ("source path climbing out", { _ in "sources[0].path" }, { p in
            p.sources[0].path = "../etc"
            p.sources[0].absolutePath = p.dataDir + "/../etc"
        }),
        ("absolute path elsewhere", { _ in "sources[0].absolute_path" }, { p in p.sources[0].absolutePath = "/etc/shadow" }),
        ("control character in data_dir", { _ in "data_dir" }, { p in p.dataDir += "\n" }),
        ("duplicate target", { p in "targets[\(p.targets.count - 1)]" }, { p in p.targets.append(p.targets[0]) }),
        ("job without a target", { _ in "jobs[0].targets" }, { p in p.jobs[0].targets = [] }),
        ("retention without a rule", { _ in "jobs[0].retention" }, { p in p.jobs[0].retention = RetentionPolicy() }),
        ("compose quiesce stopping nothing", { _ in "jobs[0].quiesce.names" }, { p in
            p.jobs[0].quiesce.method = .compose
            p.jobs[0].quiesce.names = []
        }),
        ("hot capture with stop commands", { _ in "jobs[0].quiesce.stop_commands" }, { p in
            p.jobs[0].quiesce = .none
            p.jobs[0].quiesce.stopCommands = ["true"]
        }),
    ]

    @Test(arguments: edits.map(\.name))
    func refusesTheEdit(_ name: String) throws {
        let entry = try #require(Self.edits.first { $0.name == name })
        var plan = try Self.modelPlan()
        entry.edit(&plan)
        let result = CompiledPlanReader.read(Data(plan.canonicalJSON().utf8))
        guard case .failure(let problem) = result else {
            Issue.record("accepted")
            return
        }
        #expect(problem.field == entry.field(plan), "\(problem)")
    }

    /// Text edits the decoder or the comparison with what this version writes refuses.
    @Test(arguments: [
        ("\"port\" : 22", "\"port\" : \"22\"", "targets[1].port"),
        ("\"port\" : 22", "\"port\" : 22.5", "targets[1].port"),
        ("\"project\" : \"open-webui\"", "\"project\" : null", "compose.project"),
        ("\"init\" : false,", "", "targets[2].init"),
        ("\"kind\" : \"sqlite\"", "\"kind\" : \"postgres\"", "sources[0].kind"),
        ("\"method\" : \"compose\"", "\"method\" : \"pause\"", "jobs[0].quiesce.method"),
    ])
    func refusesTheText(_ from: String, _ to: String, _ field: String) throws {
        let text = try String(contentsOfFile: Self.repository + "/generated/model-plan-2/plan.json", encoding: .utf8)
        #expect(text.contains(from))
        let edited = text.replacingOccurrences(of: from, with: to)
        guard case .failure(let problem) = CompiledPlanReader.read(Data(edited.utf8)) else {
            Issue.record("accepted")
            return
        }
        #expect(problem.field.hasPrefix(field), "\(problem)")
    }
}
