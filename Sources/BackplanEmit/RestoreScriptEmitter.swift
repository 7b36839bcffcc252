import BackplanCore

/// restore.sh: lists, restores and verifies the snapshots of every target of a plan, on a server
/// without backplan. The plan's values become readonly bash variables (each through `Shell.quote`);
/// the rest is the constant `RestoreScriptLibrary`.
public enum RestoreScriptEmitter {
    public static func render(_ plan: CompiledPlan) -> String {
        "#!/usr/bin/env bash\n" + GeneratedHeader.lines(for: plan) + "#\n" + usage(plan) + "\n"
            + assignments(plan) + remoteAssignments(plan) + "\n" + RestoreScriptLibrary.text + remoteLibrary(plan)
            + "\n\nmain \"$@\"\n"
    }

    /// The remote targets' variables (as in the job scripts), when the plan has any.
    static func remoteAssignments(_ plan: CompiledPlan) -> String {
        let assignments = JobScriptEmitter.remoteAssignments(plan.targets)
        guard !assignments.isEmpty else { return "" }
        return "# Remote targets (docs/run-contract.md): credentials only ever come from the files named here.\n"
            + assignments.map { silencingSingleQuoteNotice($0.line) }.joined(separator: "\n") + "\n"
    }

    /// The env-file reader and each remote type's functions, for the types the plan uses.
    static func remoteLibrary(_ plan: CompiledPlan) -> String {
        guard plan.targets.contains(where: { $0.type != .local }) else { return "" }
        return RemoteTargetBash.envFile + RemoteTargetBash.types(in: plan.targets).map(\.restoreLibrary).joined()
    }

    /// A comment telling the reader what the script is for before any code.
    static func usage(_ plan: CompiledPlan) -> String {
        """
        # restore.sh of plan \(plan.name): `list`, `restore` and `verify` the snapshots of its targets
        # (run `restore.sh --help`). Snapshots are read as docs/run-contract.md lays them out.

        """
    }

    /// One `readonly` per plan value; targets as parallel arrays indexed alike.
    static func assignments(_ plan: CompiledPlan) -> String {
        let compose = plan.compose
        let lines = [
            "# The plan (every value quoted by backplan; nothing below evaluates them).",
            "readonly PLAN=\(Shell.quote(plan.name))",
            "readonly DATA_DIR=\(Shell.quote(plan.dataDir))",
            "# Its lock is taken so no job of the plan runs during a restore.",
            "readonly STATE_DIR=\(Shell.quote(plan.stateDir))",
            "# restore --in-place stops and starts this compose service; no command: stop the app by hand.",
            "readonly -a COMPOSE=\(Shell.array(compose?.command ?? []))",
            "readonly COMPOSE_FILE=\(Shell.quote(compose?.file ?? ""))",
            "readonly COMPOSE_PROJECT=\(Shell.quote(compose?.project ?? ""))",
            "readonly COMPOSE_SERVICE=\(Shell.quote(compose?.service ?? ""))",
            "# Targets: name, type and path (local: the folder holding <plan>/<job>/<ID>/).",
            "readonly -a TARGET_NAMES=\(Shell.array(plan.targets.map(\.name)))",
            "readonly -a TARGET_TYPES=\(Shell.array(plan.targets.map(\.type.rawValue)))",
            "readonly -a TARGET_PATHS=\(Shell.array(plan.targets.map { $0.path ?? "" }))",
            "readonly -a JOBS=\(Shell.array(plan.jobs.map(\.name)))",
        ]
        return lines.map(silencingSingleQuoteNotice).joined(separator: "\n") + "\n"
    }

    /// A value holding `$` or a backtick is single-quoted on purpose: it must never expand. shellcheck
    /// flags such literals (SC2016, "expressions don't expand in single quotes"); say so on that line.
    static func silencingSingleQuoteNotice(_ line: String) -> String {
        guard !line.hasPrefix("#"), line.contains("$") || line.contains("`") else { return line }
        return "# shellcheck disable=SC2016 # a plan value, single-quoted so that it never expands\n" + line
    }
}
