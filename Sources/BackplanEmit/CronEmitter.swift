import BackplanCore
/// The /etc/cron.d drop-in: one line per job, with the user field, output to the system log.
public enum CronEmitter {
    public static let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    public static func render(_ plan: CompiledPlan) -> String {
        var out = GeneratedHeader.lines(for: plan)
        out += """
            # Install as \(plan.install.cronFile), or use the systemd timers instead (never both).
            SHELL=/bin/bash
            PATH=\(path)

            """
        for job in plan.jobs {
            var command = ["\(plan.install.scriptDir)/\(job.name).sh"]
            if let jitter = job.jitterSeconds, jitter > 0 { command += ["--jitter", String(jitter)] }
            out += "\n# \(job.name): \(job.schedule.expression)\n"
            out += "\(job.schedule.cron) root \(ScriptWriter.cronCommand(command, logTag: SystemdEmitter.unitName(plan, job)))\n"
        }
        return out
    }
}
