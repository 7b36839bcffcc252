import BackplanCore
/// Renders every file of `generated/<plan>/` from the compiled plan, in path order.
public enum PlanEmitter {
    public static func files(for plan: CompiledPlan) -> [GeneratedFile] {
        var files = [
            GeneratedFile(path: "plan.json", contents: plan.canonicalJSON()),
            GeneratedFile(path: "INSTALL.md", contents: InstallEmitter.render(plan)),
            GeneratedFile(path: "restore.sh", contents: RestoreScriptEmitter.render(plan), executable: true),
            GeneratedFile(path: "cron.d/backplan-\(plan.name)", contents: CronEmitter.render(plan)),
            GeneratedFile(path: LibraryEmitter.path, contents: LibraryEmitter.render(plan)),
        ]
        for job in plan.jobs {
            let unit = SystemdEmitter.unitName(plan, job)
            files.append(GeneratedFile(path: "\(job.name).sh", contents: JobScriptEmitter.render(plan, job: job), executable: true))
            files.append(GeneratedFile(path: "systemd/\(unit).service", contents: SystemdEmitter.service(plan, job)))
            files.append(GeneratedFile(path: "systemd/\(unit).timer", contents: SystemdEmitter.timer(plan, job)))
        }
        files += PullScriptEmitter.files(plan)
        return files.sorted { $0.path < $1.path }
    }
}
