@testable import BackplanCore
import Foundation
import Testing

/// The `key` source kind in the plan language (docs/plan-language.md, "Sources") and in plan.json, which
/// is read back as untrusted input.
@Suite struct KeySourcePlanTests {
    static func plan(_ sources: String) -> String {
        RuleExample.basePlan.replacingOccurrences(of: "  uploads: {path: uploads, kind: files}\n",
                                                  with: "  uploads: {path: uploads, kind: files}\n" + sources)
    }

    static func diagnostics(_ sources: String) -> [Diagnostic] {
        let (plan, found) = PlanFrontEnd.process(Array(Self.plan(sources).utf8), file: "plans/openwebui.yaml")
        guard let plan else { return found }
        return found + PlanValidator.validate(plan, deployment: RuleExample.deployment(.standard), file: "plans/openwebui.yaml")
    }

    @Test func keySourcesOnTheHostAndInAContainerAreAccepted() throws {
        let text = Self.plan("""
              secret-key: {path: /opt/open-webui/secrets.env, kind: key}
              generated: {kind: key, service: open-webui, path: /app/backend/.webui_secret_key}

            """)
        let (plan, found) = PlanFrontEnd.process(Array(text.utf8), file: "plans/openwebui.yaml")
        #expect(found.isEmpty, "\(found.map(\.message))")
        let decoded = try #require(plan)
        let compiled = try #require(PlanLowering.lower(decoded, deployment: RuleExample.deployment(.standard), file: "plans/openwebui.yaml").compiled)
        let host = try #require(compiled.source(named: "secret-key"))
        #expect(host.kind == .key && host.path == "secret-key" && host.absolutePath == "/opt/open-webui/secrets.env" && host.service == nil)
        #expect(host.snapshotPath == "keys/secret-key")
        let container = try #require(compiled.source(named: "generated"))
        #expect(container.service == "open-webui" && container.absolutePath == "/app/backend/.webui_secret_key")
        #expect(CompiledPlanValidator.problems(compiled).isEmpty)
        // A container path is not a host path: it overlaps nothing, and the data sources still cover the data dir.
        #expect(!Self.diagnostics("  generated: {kind: key, service: open-webui, path: /app/backend/.webui_secret_key}\n").contains { $0.severity == .error })
    }

    @Test(arguments: [
        ("  k: {path: secrets.env, kind: key}\n", DiagnosticCode.invalidPath, "must be an absolute path"),
        ("  k: {path: /a/../secrets.env, kind: key}\n", .invalidPath, "must not contain '..'"),
        ("  k: {path: /opt/s.env, kind: key, exclude: ['*.bak']}\n", .conflictingKeys, "exclude has no meaning for a key source"),
        ("  k: {path: cache, kind: files, service: open-webui}\n", .conflictingKeys, "only a key source is read from a container"),
        ("  k: {path: /k, kind: key, service: '-x'}\n", .invalidName, "is not a compose service name"),
        ("  k: {path: /k, kind: key, service: openwebui}\n", .unknownService, "did you mean 'open-webui'?"),
    ])
    func badKeySourcesAreRefusedWithWhatToWrite(_ source: String, _ code: DiagnosticCode, _ message: String) {
        let found = Self.diagnostics(source)
        #expect(found.contains { $0.code == code && $0.message.contains(message) && $0.help != nil }, "\(found.map { "\($0.code.rawValue) \($0.message)" })")
    }

    /// An install without compose and without a unit: nothing tells where the key is, so a plan that
    /// captures a key file is trusted; one that captures none is warned (BP309).
    @Test func withoutComposeOrUnitAnyCapturedKeyFileSatisfiesBP309() throws {
        var deployment = try #require(RuleExample.deployment(.standard))
        deployment.compose = nil
        deployment.environment.secretKey = .unset
        let base = RuleExample.basePlan.replacingOccurrences(of: "  compose: {file: /opt/open-webui/docker-compose.yaml, service: open-webui}\n",
                                                             with: "  data_dir: /opt/open-webui/data\n")
            .replacingOccurrences(of: "quiesce: {stop: [open-webui], max_downtime: 2m}", with: "quiesce: {units: [open-webui.service]}")
        for (sources, warned) in [("", true), ("  secret-key: {path: /opt/open-webui/.env, kind: key}\n", false)] {
            let text = base.replacingOccurrences(of: "  uploads: {path: uploads, kind: files}\n", with: "  uploads: {path: uploads, kind: files}\n" + sources)
            let plan = try #require(PlanFrontEnd.process(Array(text.utf8), file: "plans/openwebui.yaml").plan)
            let found = PlanValidator.validate(plan, deployment: deployment, file: "plans/openwebui.yaml")
            #expect(found.contains { $0.code == .secretKeyNotPersisted && $0.severity == .warning } == warned, "\(found.map(\.message))")
        }
    }

    @Test func aKeySourceInAContainerNeedsTheComposeFile() {
        let text = Self.plan("  k: {path: /k, kind: key, service: open-webui}\n")
            .replacingOccurrences(of: "  compose: {file: /opt/open-webui/docker-compose.yaml, service: open-webui}\n", with: "  data_dir: /opt/open-webui/data\n")
        let (plan, found) = PlanFrontEnd.process(Array(text.utf8), file: "plans/openwebui.yaml")
        let all = found + (plan.map { PlanValidator.validate($0, deployment: nil, file: "plans/openwebui.yaml") } ?? [])
        #expect(all.contains { $0.code == .conflictingKeys && $0.message.contains("names no compose file") })
    }

    /// plan.json is untrusted: a key source must keep its name as its path, an absolute file, and a service
    /// only with compose.
    @Test func aForgedKeySourceInPlanJSONIsRefused() throws {
        let text = Self.plan("  k: {kind: key, service: open-webui, path: /app/backend/.webui_secret_key}\n")
        let decoded = try #require(PlanFrontEnd.process(Array(text.utf8), file: "plans/openwebui.yaml").plan)
        let compiled = try #require(PlanLowering.lower(decoded, deployment: RuleExample.deployment(.standard), file: "plans/openwebui.yaml").compiled)
        let index = try #require(compiled.sources.firstIndex { $0.name == "k" })
        for (field, edit) in [("sources[\(index)].path", { (p: inout CompiledPlan) in p.sources[index].path = "../etc" }),
                              ("sources[\(index)].absolute_path", { (p: inout CompiledPlan) in p.sources[index].absolutePath = "relative" }),
                              ("sources[\(index)].service", { (p: inout CompiledPlan) in p.compose = nil }),
                              ("sources[\(index)].service", { (p: inout CompiledPlan) in p.sources[index].service = "-rm" })] {
            var forged = compiled
            edit(&forged)
            #expect(CompiledPlanValidator.problems(forged).contains { $0.field == field }, "\(field)")
        }
    }
}
