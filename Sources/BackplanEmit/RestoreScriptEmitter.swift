import BackplanCore
/// restore.sh: list, restore and verify snapshots of every target. Placeholder until the script lands.
public enum RestoreScriptEmitter {
    public static func render(_ plan: CompiledPlan) -> String {
        "#!/usr/bin/env bash\n" + GeneratedHeader.lines(for: plan) + "echo 'not yet' >&2\nexit 1\n"
    }
}
