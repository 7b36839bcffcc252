import BackplanCore

/// restore.sh: lists, restores and verifies the snapshots of every target of a plan, on a server
/// without backplan. The plan's values become readonly bash variables (written by `ScriptWriter`);
/// the functions are `RestoreScriptLibrary`'s, in the plan's library (`lib/backplan.sh`).
public enum RestoreScriptEmitter {
    public static func render(_ plan: CompiledPlan) -> String {
        ScriptWriter.header(plan, [
            "",
            "restore.sh of plan \(plan.name): `list`, `restore` and `verify` the snapshots of its targets",
            "(run `restore.sh --help`). Snapshots are read as docs/run-contract.md lays them out.",
        ]) + "\n" + RestoreScriptLibrary.prologue + "\n" + ScriptWriter.values(assignments(plan)) + remoteAssignments(plan)
            + ScriptWriter.sourceLibrary(plan) + "bp_restore_main \"$@\"\n"
    }

    /// The remote targets' variables (as in the job scripts), when the plan has any.
    static func remoteAssignments(_ plan: CompiledPlan) -> String {
        let assignments = JobScriptEmitter.remoteAssignments(plan.targets)
        guard !assignments.isEmpty else { return "" }
        return ScriptWriter.values(assignments, heading: "# Remote targets (docs/run-contract.md): credentials only ever come from the files named here.")
    }

    /// One `readonly` per plan value; targets as parallel arrays indexed alike.
    static func assignments(_ plan: CompiledPlan) -> [ShellAssignment] {
        let compose = plan.compose
        let keys = plan.sources.filter { $0.kind == .key }
        return [
            .scalar("PLAN", plan.name),
            .scalar("DATA_DIR", plan.dataDir),
            .scalar("STATE_DIR", plan.stateDir).commented("Its lock is taken so no job of the plan runs during a restore."),
            .array("COMPOSE", compose?.command ?? [])
                .commented("restore --in-place stops and starts this compose service; no command: stop the app by hand."),
            .scalar("COMPOSE_FILE", compose?.file ?? ""),
            .scalar("COMPOSE_PROJECT", compose?.project ?? ""),
            .scalar("COMPOSE_SERVICE", compose?.service ?? ""),
            .array("TARGET_NAMES", plan.targets.map(\.name)).commented("Targets: name, type and path (local: the folder holding <plan>/<job>/<ID>/)."),
            .array("TARGET_TYPES", plan.targets.map(\.type.rawValue)),
            .array("TARGET_PATHS", plan.targets.map { $0.path ?? "" }),
            .array("JOBS", plan.jobs.map(\.name)),
            .array("KEY_NAMES", keys.map(\.name))
                .commented("Key sources: where restore --in-place puts a snapshot's keys/NAME back (with a service: into its container)."),
            .array("KEY_PATHS", keys.map(\.absolutePath)),
            .array("KEY_SERVICES", keys.map { $0.service ?? "" }),
            .scalar("COMPOSE_WORDS", compose?.commandLine ?? ""),
        ]
    }
}
