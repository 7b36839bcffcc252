@testable import BackplanCore
import Foundation
import Testing

/// A deployment started with `docker run` in the plan language (docs/plan-language.md, "Deployment" and
/// "Quiesce"): `deployment.container`, `quiesce: {containers: […]}`, key sources read from a container,
/// what `check` says against a saved deployment found through the engine, and plan.json read back.
@Suite struct ContainerPlanTests {
    static let file = "plans/openwebui.yaml"

    static func decode(_ text: String) -> (plan: Plan?, diagnostics: [Diagnostic]) {
        PlanFrontEnd.process(Array(text.utf8), file: file)
    }

    /// Front end and checks against `deployment` (the `docker run` one unless given).
    static func check(_ text: String, against deployment: Deployment? = RuleExample.deployment(.dockerRun)) -> [Diagnostic] {
        let (plan, found) = decode(text)
        guard let plan else { return found }
        return found + PlanValidator.validate(plan, deployment: deployment, file: file)
    }

    static func summary(_ diagnostics: [Diagnostic]) -> [String] {
        diagnostics.map { "\($0.code.rawValue) \($0.severity) \($0.message)" }
    }

    @Test func theContainerPlanCompilesToTheEngineAndItsNames() throws {
        let (plan, found) = Self.decode(RuleExample.containerPlan)
        #expect(found.isEmpty, "\(Self.summary(found))")
        let decoded = try #require(plan)
        #expect(decoded.deployment.container?.name.value == "open-webui")
        let lowered = PlanLowering.lower(decoded, deployment: RuleExample.deployment(.dockerRun), file: Self.file)
        let compiled = try #require(lowered.compiled)
        #expect(compiled.container == CompiledContainer(name: "open-webui", command: ["docker"]))
        #expect(compiled.compose == nil)
        #expect(compiled.dataDir == "/var/lib/docker/volumes/open-webui/_data", "the saved deployment tells the data dir")
        let job = try #require(compiled.jobs.first)
        #expect(job.quiesce.method == .containers && job.quiesce.names == ["open-webui"] && job.quiesce.maxDowntimeSeconds == 120)
        let key = try #require(compiled.source(named: "secret-key"))
        #expect(key.container == "open-webui" && key.service == nil && key.absolutePath == "/app/backend/.webui_secret_key")
        #expect(CompiledPlanValidator.problems(compiled).isEmpty)
        // plan.json carries it: decoded back, it is the same plan.
        let back = try JSONDecoder().decode(CompiledPlan.self, from: Data(compiled.canonicalJSON().utf8))
        #expect(back == compiled)
    }

    @Test func theMappingFormNamesPodman() throws {
        let text = RuleExample.containerPlan.replacingOccurrences(of: "  container: open-webui\n",
                                                                  with: "  container: {name: open-webui, command: podman}\n")
        let plan = try #require(Self.decode(text).plan)
        let compiled = try #require(PlanLowering.lower(plan, deployment: RuleExample.deployment(.dockerRun), file: Self.file).compiled)
        #expect(compiled.container?.command == ["podman"])
    }

    @Test(arguments: [
        ("  container: open-webui\n", "  container: '-rm'\n", DiagnosticCode.invalidName, "'-rm' is not a container name"),
        ("  container: open-webui\n", "  container: {name: open-webui, command: 'docker --host x'}\n", .invalidValue, "deployment.container.command"),
        ("  container: open-webui\n", "  container: open-webui\n  compose: {file: /opt/c.yaml, service: open-webui}\n", .conflictingKeys,
         "both 'compose' and 'container'"),
        ("quiesce: {containers: [open-webui], max_downtime: 2m}", "quiesce: {containers: ['--all']}", .invalidName, "is not a container name"),
        ("quiesce: {containers: [open-webui], max_downtime: 2m}", "quiesce: {containers: [open-webui], stop: [open-webui]}", .conflictingKeys,
         "mixes 'stop' and 'containers'"),
        ("container: open-webui, path: /app", "service: open-webui, container: open-webui, path: /app", .conflictingKeys,
         "both a compose 'service' and a 'container'"),
        ("  uploads: {path: uploads, kind: files}", "  uploads: {path: uploads, kind: files, container: open-webui}", .conflictingKeys,
         "only a key source is read from a container"),
    ])
    func badContainerSyntaxIsRefusedWithWhatToWrite(_ original: String, _ replacement: String, _ code: DiagnosticCode, _ message: String) {
        precondition(RuleExample.containerPlan.contains(original))
        let found = Self.check(RuleExample.containerPlan.replacingOccurrences(of: original, with: replacement))
        #expect(found.contains { $0.code == code && $0.message.contains(message) && $0.help != nil }, "\(Self.summary(found))")
    }

    @Test func containersAndContainerKeysNeedDeploymentContainer() {
        let text = RuleExample.containerPlan.replacingOccurrences(of: "  container: open-webui\n", with: "  data_dir: /var/lib/docker/volumes/open-webui/_data\n")
        let found = Self.check(text)
        #expect(found.contains { $0.code == .missingKey && $0.message.contains("stops containers, but the plan's deployment has no 'container'") },
                "\(Self.summary(found))")
        #expect(found.contains { $0.code == .conflictingKeys && $0.message.contains("read from container 'open-webui', but the plan names no container") },
                "\(Self.summary(found))")
    }

    /// BP327: every container the plan names must be one the engine listed, with the closest name offered.
    @Test func aContainerTheEngineDidNotListIsAnError() {
        for (original, replacement, role) in [
            ("quiesce: {containers: [open-webui]", "quiesce: {containers: [open-webui, pipelines]", "the quiesce of job 'nightly'"),
            ("  container: open-webui\n", "  container: open-webu\n", "deployment.container"),
            ("container: open-webui, path", "container: ollamma, path", "key source 'secret-key'"),
        ] {
            let found = Self.check(RuleExample.containerPlan.replacingOccurrences(of: original, with: replacement))
            let hit = found.first { $0.code == .unknownContainer && $0.severity == .error && $0.message.hasPrefix(role) }
            #expect(hit != nil, "\(role): \(Self.summary(found))")
            #expect(hit?.help?.contains("ollama, open-webui") == true)
        }
        let guess = Self.check(RuleExample.containerPlan.replacingOccurrences(of: "quiesce: {containers: [open-webui]",
                                                                              with: "quiesce: {containers: [openwebui]"))
        #expect(guess.contains { $0.code == .unknownContainer && $0.message.contains("did you mean 'open-webui'?") })
    }

    /// Against a deployment detected without the engine (a compose one), the container cannot be checked:
    /// a warning says how to detect it, not an error.
    @Test func aDeploymentDetectedWithoutTheEngineIsAWarning() throws {
        var deployment = try #require(RuleExample.deployment(.dockerRun))
        deployment.container = nil
        let found = Self.check(RuleExample.containerPlan, against: deployment)
        let hit = try #require(found.first { $0.code == .unknownContainer })
        #expect(hit.severity == .warning)
        #expect(hit.help?.contains("--container open-webui") == true)
    }

    /// BP309 for a container: the key generated inside it must be captured from it.
    @Test func theGeneratedKeyOfTheContainerMustBeCaptured() {
        let without = RuleExample.containerPlan.replacingOccurrences(
            of: "  secret-key: {kind: key, container: open-webui, path: /app/backend/.webui_secret_key}\n", with: "")
        let found = Self.check(without)
        let hit = found.first { $0.code == .secretKeyNotPersisted }
        #expect(hit?.severity == .error, "\(Self.summary(found))")
        #expect(hit?.message.contains("inside container 'open-webui'") == true)
        #expect(hit?.help?.contains("{kind: key, container: open-webui, path: /app/backend/.webui_secret_key}") == true)
        #expect(!Self.check(RuleExample.containerPlan).contains { $0.code == .secretKeyNotPersisted })
    }

    /// BP328: a key set with `docker run -e` lives only in the container's configuration.
    @Test func aKeyOnlyInTheContainersEnvironmentIsWarned() {
        let noKeys = RuleExample.containerPlan.replacingOccurrences(
            of: "  secret-key: {kind: key, container: open-webui, path: /app/backend/.webui_secret_key}\n", with: "")
        let environment = RuleExample.deployment(.dockerRunKeyInEnvironment)
        let found = Self.check(noKeys, against: environment)
        #expect(found.contains { $0.code == .keyOnlyInContainer && $0.severity == .warning && $0.message.contains("'docker rm' loses") },
                "\(Self.summary(found))")
        #expect(!found.contains { $0.code == .secretKeyNotPersisted })
        let withFile = noKeys.replacingOccurrences(of: "  uploads: {path: uploads, kind: files}\n",
                                                   with: "  uploads: {path: uploads, kind: files}\n  env: {path: /etc/open-webui.env, kind: key}\n")
        #expect(!Self.check(withFile, against: environment).contains { $0.code == .keyOnlyInContainer })
    }

    /// `init` on a `docker run` deployment: the container named, stopped during the capture, its generated
    /// key captured from inside it, and the plan checks without an error against the deployment it came from.
    @Test func theStarterPlanOfADockerRunDeploymentStopsTheContainerAndCapturesItsKey() throws {
        var deployment = try #require(RuleExample.deployment(.dockerRun))
        let text = StarterPlan.render(deployment, name: "openwebui")
        #expect(text.contains("# Backup plan for the Open WebUI at container open-webui (docker run)."))
        #expect(text.contains("\n  container: open-webui\n  data_dir: /var/lib/docker/volumes/open-webui/_data\n"))
        #expect(text.contains("    quiesce: {containers: [open-webui], max_downtime: 5m}\n"))
        #expect(text.contains("  secret-key: {kind: key, container: open-webui, path: /app/backend/.webui_secret_key}\n"))
        let found = Self.check(text, against: deployment)
        #expect(!found.hasErrors, "\(Self.summary(found))")
        #expect(!found.contains { [.secretKeyNotPersisted, .unknownContainer, .hotChromaCapture].contains($0.code) }, "\(Self.summary(found))")
        let plan = try #require(Self.decode(text).plan)
        let compiled = try #require(PlanLowering.lower(plan, deployment: deployment, file: Self.file).compiled)
        #expect(compiled.jobs.map(\.quiesce.method) == [.containers])

        deployment.container?.engine = "podman"
        let podman = StarterPlan.render(deployment, name: "openwebui")
        #expect(podman.contains("  container: {name: open-webui, command: podman}\n"))
        #expect(!Self.check(podman, against: deployment).hasErrors)
    }

    /// With the key in the container's environment there is no file to name: the starter plan says how to
    /// keep it, and check warns (BP328) until it is captured.
    @Test func theStarterPlanOfAContainerWithItsKeyInTheEnvironmentSaysHowToKeepIt() throws {
        let deployment = try #require(RuleExample.deployment(.dockerRunKeyInEnvironment))
        let text = StarterPlan.render(deployment, name: "openwebui")
        #expect(text.contains("# secret-key: {path: /etc/open-webui/secrets.env, kind: key}"))
        #expect(!text.contains("kind: key, container:"))
        let found = Self.check(text, against: deployment)
        #expect(!found.hasErrors, "\(Self.summary(found))")
        #expect(found.contains { $0.code == .keyOnlyInContainer })
    }

    /// plan.json is untrusted: a container must be a container name run with docker or podman, and a
    /// quiesce or key source that needs one must have it.
    @Test func aForgedContainerInPlanJSONIsRefused() throws {
        let plan = try #require(Self.decode(RuleExample.containerPlan).plan)
        let compiled = try #require(PlanLowering.lower(plan, deployment: RuleExample.deployment(.dockerRun), file: Self.file).compiled)
        var forged = compiled
        forged.container = CompiledContainer(name: "--privileged", command: ["sh", "-c"])
        let fields = Set(CompiledPlanValidator.problems(forged).map(\.field))
        #expect(fields.isSuperset(of: ["container.name", "container.command"]), "\(fields)")
        forged = compiled
        forged.container = nil
        let orphans = Set(CompiledPlanValidator.problems(forged).map(\.field))
        #expect(orphans.contains("jobs[0].quiesce.method"), "\(orphans)")
        #expect(orphans.contains { $0.hasSuffix(".container") && $0.hasPrefix("sources[") }, "\(orphans)")
        forged = compiled
        forged.jobs[0].quiesce.names = ["-a"]
        #expect(CompiledPlanValidator.problems(forged).contains { $0.field == "jobs[0].quiesce.names[0]" })
    }

    /// A saved deployment is input: its container names reach `check`'s messages and plans.
    @Test func aForgedContainerInASavedDeploymentIsRefused() throws {
        var deployment = try #require(RuleExample.deployment(.dockerRun))
        deployment.container?.containers.append("bad\nname")
        deployment.container?.engine = "sh"
        let fields = deployment.problems().map(\.field)
        #expect(fields.contains("container.containers") && fields.contains("container.engine"), "\(fields)")
    }
}
