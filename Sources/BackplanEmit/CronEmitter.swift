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
            let script = "\(plan.install.scriptDir)/\(job.name).sh"
            var command = script
            if let jitter = job.jitterSeconds, jitter > 0 { command += " --jitter \(jitter)" }
            out += "\n# \(job.name): \(job.schedule.expression)\n"
            // '%' is a line break in a cron command; plan names and paths never hold one.
            out += "\(job.schedule.cron) root \(command) 2>&1 | logger -t \(SystemdEmitter.unitName(plan, job))\n"
        }
        return out
    }
}
