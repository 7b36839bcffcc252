import BackplanCore
/// The standalone bash runner of one job (DESIGN.md §6). Placeholder until the script lands.
public enum JobScriptEmitter {
    public static func render(_ plan: CompiledPlan, job: CompiledJob) -> String {
        "#!/usr/bin/env bash\n" + GeneratedHeader.lines(for: plan) + "echo 'not yet' >&2\nexit 1\n"
    }
}
