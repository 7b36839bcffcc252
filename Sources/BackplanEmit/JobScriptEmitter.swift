import BackplanCore

/// The bash runner of one job (`generated/<plan>/<job>.sh`), implementing docs/run-contract.md.
///
/// The script is: shebang, header, shell options, one block of `readonly` assignments holding every plan
/// value (each through `Shell.quote`/`Shell.array`), then it sources the plan's library
/// (`LibraryEmitter`, `lib/backplan.sh`), which reads only those variables, and calls `bp_job_main "$@"`.
/// No plan text appears anywhere else.
public enum JobScriptEmitter {
    public static func render(_ plan: CompiledPlan, job: CompiledJob) -> String {
        var out = ScriptWriter.header(plan, [
            "Job '\(job.name)': one run per call, as docs/run-contract.md describes.",
            "Usage: \(job.name).sh [--dry-run] [--resume] [--jitter SECONDS]",
        ])
        out += "\n" + JobScriptLibrary.prologue
        out += "\n" + ScriptWriter.values(assignments(plan, job))
        out += ScriptWriter.sourceLibrary(plan)
        out += "bp_job_main \"$@\"\n"
        return out
    }

    /// The variables the library reads, in a fixed order.
    static func assignments(_ plan: CompiledPlan, _ job: CompiledJob) -> [ShellAssignment] {
        let sources = job.sources.compactMap { plan.source(named: $0) }
        let targets = job.targets.compactMap { plan.target(named: $0) }
        var excludeOwners: [String] = []
        var excludePatterns: [String] = []
        for (index, source) in sources.enumerated() {
            for pattern in source.exclude {
                excludeOwners.append(String(index))
                excludePatterns.append(pattern)
            }
        }
        let quiesce = job.quiesce
        let retention = job.retention
        return [
            .scalar("PLAN", plan.name),
            .scalar("JOB", job.name),
            .scalar("DATA_DIR", plan.dataDir),
            .scalar("STATE_DIR", plan.stateDir),
            // Sources as parallel arrays, index i describing one source.
            .array("SOURCE_NAMES", sources.map(\.name)),
            .array("SOURCE_KINDS", sources.map(\.kind.rawValue)),
            .array("SOURCE_PATHS", sources.map(\.path)),
            .array("SOURCE_ABSOLUTE", sources.map(\.absolutePath)),
            .array("SOURCE_SERVICES", sources.map { $0.service ?? "" }),
            // Exclude patterns: EXCLUDE_PATTERNS[k] belongs to source EXCLUDE_SOURCE[k].
            .array("EXCLUDE_SOURCE", excludeOwners),
            .array("EXCLUDE_PATTERNS", excludePatterns),
            // Targets as parallel arrays; TARGET_PATHS is empty for types without a path.
            .array("TARGET_NAMES", targets.map(\.name)),
            .array("TARGET_TYPES", targets.map(\.type.rawValue)),
            .array("TARGET_PATHS", targets.map { $0.path ?? "" }),
            .array("COMPOSE_CMD", plan.compose?.command ?? []),
            .scalar("COMPOSE_FILE", plan.compose?.file ?? ""),
            .scalar("COMPOSE_PROJECT", plan.compose?.project ?? ""),
            .scalar("COMPOSE_SERVICE", plan.compose?.service ?? ""),
            .array("CONTAINER_CMD", plan.container?.command ?? []),
            .scalar("QUIESCE_METHOD", quiesce.method.rawValue),
            .array("QUIESCE_NAMES", quiesce.names),
            .array("QUIESCE_STOP_COMMANDS", quiesce.stopCommands),
            .array("QUIESCE_START_COMMANDS", quiesce.startCommands),
            .number("MAX_DOWNTIME", quiesce.maxDowntimeSeconds),
            // Retention: RETENTION=0 keeps every snapshot; each KEEP_* 0 means the rule is off.
            .scalar("RETENTION", retention == nil ? "0" : "1"),
        ] + RetentionRule.allCases.map { ShellAssignment.number("KEEP_\($0.rawValue.uppercased())", retention?[$0]) } + [
            .scalar("VERIFY", job.verify.rawValue),
            // The webhook: events (success, partial, failure) and where its URL is read at run time.
            .array("NOTIFY_ON", plan.notify?.on.map(\.rawValue) ?? []),
            .scalar("NOTIFY_URL_FILE", plan.notify?.webhookURLFile ?? ""),
            .scalar("NOTIFY_URL_ENV", plan.notify?.webhookURLEnv ?? ""),
        ] + remoteAssignments(targets)
    }

    /// With any target other than local: which targets the NAS pulls, the env files, and each remote
    /// type's own arrays (all parallel to TARGET_NAMES).
    static func remoteAssignments(_ targets: [CompiledTarget]) -> [ShellAssignment] {
        guard targets.contains(where: { $0.type != .local }) else { return [] }
        var out: [ShellAssignment] = [.array("TARGET_PULLED", targets.map { $0.isPulled ? "1" : "" })]
        out += RemoteTargetBash.commonAssignments(targets)
        for type in RemoteTargetBash.types(in: targets) { out += type.assignments(targets) }
        return out
    }
}
