import BackplanCore

/// `generated/<plan>/pull-<target>.sh` for an rsync target with `direction: pull`, and its cron.d file and
/// systemd units, all for the NAS (docs/remote-rsync.md, "Pull"). On the NAS the script pulls the newest
/// complete snapshot of each job having that target from the server (the job's first local target) into
/// `<path>/<plan>/<job>/`, with the guarantees of a push: `.ID.partial` + `--link-dest` against the NAS's
/// newest snapshot, a manifest check on the NAS, a rename, the job's retention, a lock and a runs log.
public enum PullScriptEmitter {
    /// The pull scripts wait this long after the jobs' instants (plus the largest jitter), so that the
    /// server's run has published its snapshot.
    public static let delaySeconds = 3600

    /// The rsync targets the NAS pulls.
    public static func pulledTargets(_ plan: CompiledPlan) -> [CompiledTarget] {
        plan.targets.filter(\.isPulled)
    }

    /// The jobs having `target`, each with the server folder it is pulled from (its first local target's path);
    /// a job without a local target is left out (the validator reports it: BP323).
    static func pulledJobs(_ plan: CompiledPlan, _ target: CompiledTarget) -> [(job: CompiledJob, source: String)] {
        plan.jobs.filter { $0.targets.contains(target.name) }.compactMap { job in
            let local = job.targets.compactMap { plan.target(named: $0) }.first { $0.type == .local }
            return local?.path.map { (job, $0) }
        }
    }

    /// Every file of the pull of every pulled target, paths relative to `generated/<plan>/`.
    public static func files(_ plan: CompiledPlan) -> [GeneratedFile] {
        pulledTargets(plan).flatMap { target -> [GeneratedFile] in
            let unit = unitName(plan, target)
            return [
                GeneratedFile(path: "pull-\(target.name).sh", contents: script(plan, target), executable: true),
                GeneratedFile(path: "pull-\(target.name)/cron.d/\(unit)", contents: cron(plan, target)),
                GeneratedFile(path: "pull-\(target.name)/systemd/\(unit).service", contents: service(plan, target)),
                GeneratedFile(path: "pull-\(target.name)/systemd/\(unit).timer", contents: timer(plan, target)),
            ]
        }
    }

    /// `backplan-<plan>-pull-<target>`.
    public static func unitName(_ plan: CompiledPlan, _ target: CompiledTarget) -> String { "backplan-\(plan.name)-pull-\(target.name)" }

    /// The `--delay` the NAS's cron line and unit pass.
    static func delay(_ plan: CompiledPlan, _ target: CompiledTarget) -> Int {
        delaySeconds + (pulledJobs(plan, target).compactMap(\.job.jitterSeconds).max() ?? 0)
    }

    /// The pull script's command words, as the NAS's cron line and unit run it.
    static func command(_ plan: CompiledPlan, _ target: CompiledTarget) -> [String] {
        ["\(plan.install.scriptDir)/pull-\(target.name).sh", "--delay", String(delay(plan, target))]
    }

    public static func script(_ plan: CompiledPlan, _ target: CompiledTarget) -> String {
        let jobs = pulledJobs(plan, target)
        let assignments: [ShellAssignment] = [
            .scalar("PLAN", plan.name),
            .scalar("TARGET", target.name),
            .scalar("NAS_PATH", target.path ?? ""),
            // The server, as the NAS reaches it (index 0 of the rsync arrays; no env file).
            .array("TARGET_ENV_FILES", [""]),
        ] + RemoteTargetBash.rsync.assignments([target]) + [
            // The jobs pulled: name, the server folder holding <plan>/<job>/<ID>/, verify, retention.
            .array("JOB_NAMES", jobs.map(\.job.name)),
            .array("JOB_SOURCES", jobs.map(\.source)),
            .array("JOB_VERIFY", jobs.map(\.job.verify.rawValue)),
            .array("JOB_RETENTION", jobs.map { retention($0.job.retention) }),
        ]
        var out = ScriptWriter.header(plan, [
            "pull-\(target.name).sh of plan \(plan.name): run ON THE NAS (docs/remote-rsync.md). Pulls the newest complete",
            "snapshot of each job with target \(target.name) from the server into \(target.path ?? "")/\(plan.name)/<job>/.",
            "Usage: pull-\(target.name).sh [--delay SECONDS]",
            "Exit status: 0 every job pulled or up to date, 1 none, 3 some jobs failed.",
            "Standalone: one file copied to the NAS; it needs no lib/backplan.sh.",
        ])
        out += "\n" + JobScriptLibrary.prologue
        out += "\n" + ScriptWriter.values(assignments)
        out += "\n" + BashRetention.function
        if !BashRetention.function.hasSuffix("\n") { out += "\n" }
        let rest = RemoteTargetBash.envFile + RemoteTargetBash.rsyncCommon([.list, .manifest]) + PullScriptLibrary.text
        out += "\n" + BashCore.text(before: rest) + rest
        out += "\nmain \"$@\"\n"
        return out
    }

    /// The job's retention as the seven numbers of bp_retention_remove_ids, or `none` (keep everything).
    static func retention(_ r: RetentionPolicy?) -> String {
        r?.shellArguments.joined(separator: " ") ?? "none"
    }

    public static func cron(_ plan: CompiledPlan, _ target: CompiledTarget) -> String {
        var out = GeneratedHeader.lines(for: plan)
        out += """
            # For the NAS: install as /etc/cron.d/\(unitName(plan, target)), or use the systemd timer instead (never both).
            SHELL=/bin/bash
            PATH=\(CronEmitter.path)

            """
        var seen = Set<String>()
        for (job, _) in pulledJobs(plan, target) where seen.insert(job.schedule.cron).inserted {
            out += "\n# after job \(job.name) (\(job.schedule.expression)), \(delay(plan, target)) s later\n"
            out += "\(job.schedule.cron) root \(ScriptWriter.cronCommand(command(plan, target), logTag: unitName(plan, target)))\n"
        }
        return out
    }

    public static func service(_ plan: CompiledPlan, _ target: CompiledTarget) -> String {
        GeneratedHeader.lines(for: plan) + SystemdEmitter.render([
            SystemdEmitter.Section("Unit", [
                ("Description", "backplan: pull of plan \(plan.name) to this NAS (target \(target.name))"),
                ("Documentation", "file:\(plan.install.scriptDir)/INSTALL.md"),
                ("Wants", "network-online.target"),
                ("After", "network-online.target"),
            ]),
            SystemdEmitter.Section("Service", [
                ("Type", "oneshot"),
                ("ExecStart", ScriptWriter.systemdExec(command(plan, target))),
                ("Nice", "10"),
                ("IOSchedulingClass", "best-effort"),
                ("IOSchedulingPriority", "7"),
                ("SyslogIdentifier", unitName(plan, target)),
                ("PrivateTmp", "true"),
                ("NoNewPrivileges", "true"),
            ]),
        ])
    }

    public static func timer(_ plan: CompiledPlan, _ target: CompiledTarget) -> String {
        var calendar: [String] = []
        for (job, _) in pulledJobs(plan, target) {
            for event in job.schedule.onCalendar where !calendar.contains(event) { calendar.append(event) }
        }
        var entries: [(String, String)] = calendar.map { ("OnCalendar", $0) }
        entries += [("Persistent", "true"), ("Unit", "\(unitName(plan, target)).service")]
        return GeneratedHeader.lines(for: plan) + SystemdEmitter.render([
            SystemdEmitter.Section("Unit", [("Description", "backplan: schedule of the pull of plan \(plan.name) to this NAS (target \(target.name))")]),
            SystemdEmitter.Section("Timer", entries),
            SystemdEmitter.Section("Install", [("WantedBy", "timers.target")]),
        ])
    }
}
