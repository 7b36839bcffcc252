import BackplanCore
/// systemd units: a `Type=oneshot` service per job and the timer that starts it. Sections and keys have
/// a fixed order; values come from the compiled plan only.
public enum SystemdEmitter {
    /// `backplan-<plan>-<job>`.
    public static func unitName(_ plan: CompiledPlan, _ job: CompiledJob) -> String { "backplan-\(plan.name)-\(job.name)" }

    public static func service(_ plan: CompiledPlan, _ job: CompiledJob) -> String {
        let script = "\(plan.install.scriptDir)/\(job.name).sh"
        var unit: [Section] = [
            Section("Unit", [
                ("Description", "backplan: job \(job.name) of plan \(plan.name)"),
                ("Documentation", "file:\(plan.install.scriptDir)/INSTALL.md"),
                ("Wants", "network-online.target"),
                ("After", "network-online.target"),
            ]),
        ]
        var service: [(String, String)] = [
            ("Type", "oneshot"),
            ("ExecStart", ScriptWriter.systemdExec([script])),
            // A run killed mid-capture leaves a journaled quiesce: resume it whatever happened.
            ("ExecStopPost", ScriptWriter.systemdExec([script, "--resume"])),
            // SIGTERM goes to the script alone, whose trap resumes the app before it exits.
            ("KillMode", "mixed"),
            ("Nice", "10"),
            ("IOSchedulingClass", "best-effort"),
            ("IOSchedulingPriority", "7"),
            ("SyslogIdentifier", unitName(plan, job)),
            ("PrivateTmp", "true"),
            ("NoNewPrivileges", "true"),
        ]
        if let notifyEnv = plan.notify?.webhookURLEnv {
            service.append(("PassEnvironment", notifyEnv))
        }
        unit.append(Section("Service", service))
        return GeneratedHeader.lines(for: plan) + render(unit)
    }

    public static func timer(_ plan: CompiledPlan, _ job: CompiledJob) -> String {
        var timer: [(String, String)] = []
        // A plan cannot name a zone (cron has none, BP501): a line in UTC is one backplan wrote for the server's zone.
        if job.schedule.onCalendar.contains(where: { $0.hasSuffix(" UTC") }) {
            timer.append(("#", "Every hour in local time, written in UTC for the server's zone (saved deployment) so that it also runs "
                + "in the hour repeated when the clock goes back, as cron does (docs/generated-files.md, \"daylight saving\")."))
        }
        timer += job.schedule.onCalendar.map { ("OnCalendar", $0) }
        timer.append(("Persistent", "true"))
        if let jitter = job.jitterSeconds, jitter > 0 { timer.append(("RandomizedDelaySec", "\(jitter)")) }
        timer.append(("Unit", "\(unitName(plan, job)).service"))
        return GeneratedHeader.lines(for: plan) + render([
            Section("Unit", [("Description", "backplan: schedule of job \(job.name) of plan \(plan.name) (\(job.schedule.expression))")]),
            Section("Timer", timer),
            Section("Install", [("WantedBy", "timers.target")]),
        ])
    }

    struct Section {
        var name: String
        var entries: [(String, String)]
        init(_ name: String, _ entries: [(String, String)]) {
            self.name = name
            self.entries = entries
        }
    }

    static func render(_ sections: [Section]) -> String {
        sections.map { section in
            "[\(section.name)]\n" + section.entries.map { $0.0 == "#" ? "# \($0.1)\n" : "\($0.0)=\($0.1)\n" }.joined()
        }.joined(separator: "\n")
    }
}
