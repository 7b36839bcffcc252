import Foundation

/// Checks a decoded plan for what makes backups unsafe or incomplete: against itself (copies, retention,
/// overlapping sources, concurrent jobs) and, when one is given, against a deployment value. Pure: it
/// never reads the disk; the deployment was detected or loaded before.
public struct PlanValidator {
    public let plan: Plan
    public let deployment: Deployment?
    public let file: String
    /// Where the deployment came from, for messages (e.g. `plans/openwebui.deployment.json`).
    public let deploymentOrigin: String?
    private(set) var diagnostics: [Diagnostic] = []

    public init(plan: Plan, deployment: Deployment?, file: String, deploymentOrigin: String? = nil) {
        self.plan = plan
        self.deployment = deployment
        self.file = file
        self.deploymentOrigin = deploymentOrigin
    }

    /// Every finding, unsorted.
    public static func validate(_ plan: Plan, deployment: Deployment?, file: String, deploymentOrigin: String? = nil)
        -> [Diagnostic]
    {
        var validator = PlanValidator(plan: plan, deployment: deployment, file: file, deploymentOrigin: deploymentOrigin)
        validator.checkPlan()
        if let deployment {
            validator.checkAgainst(deployment)
        } else {
            validator.report(.noDeployment,
                             "the plan was checked without its deployment: there is no saved deployment and none was detected",
                             at: plan.deployment.start,
                             help: "on the server, run 'backplan detect --json > plans/\(plan.name.value).deployment.json' and commit it")
        }
        return validator.diagnostics
    }

    mutating func report(_ code: DiagnosticCode, _ message: String, severity: Severity? = nil, at start: SourceLocation,
                         width: Int = 1, help: String? = nil, notes: [String] = [])
    {
        diagnostics.append(Diagnostic(code, message, severity: severity, file: file, at: start, length: width,
                                      help: help, notes: notes))
    }

    mutating func report<T>(_ code: DiagnosticCode, _ message: String, severity: Severity? = nil, at value: Located<T>,
                            help: String? = nil, notes: [String] = [])
    {
        report(code, message, severity: severity, at: value.start, width: value.width, help: help, notes: notes)
    }

    /// The data dir the plan backs up: its own, else the deployment's.
    var dataDir: String? { plan.deployment.dataDir?.value ?? deployment?.dataDir }

    /// Sources that at least one job captures.
    var capturedSources: [Source] {
        plan.sources.filter { source in plan.jobs.contains { $0.sources.contains { $0.value == source.name.value } } }
    }

    /// Whether `path` is `base` or lies below it.
    static func isWithin(_ path: String, _ base: String) -> Bool {
        let p = path.split(separator: "/")
        let b = base.split(separator: "/")
        return p.count >= b.count && Array(p.prefix(b.count)) == b
    }
}
