import Foundation

/// Lowers a validated plan to the compiled plan that the emitters and the runtime share.
public enum PlanLowering {
    /// Lowers `plan` (from `file`). `deployment` tells what the plan leaves to detection: the data dir
    /// and the compose project. Nil with diagnostics when something the scripts need is unknown.
    public static func lower(_ plan: Plan, deployment: Deployment?, file: String)
        -> (compiled: CompiledPlan?, diagnostics: [Diagnostic])
    {
        var diagnostics: [Diagnostic] = []
        let name = plan.name.value
        guard let dataDir = plan.deployment.dataDir?.value ?? deployment?.dataDir else {
            diagnostics.append(Diagnostic(.dataDirUnknown, "the data dir is not known: the plan gives no data_dir and no deployment is saved",
                                          file: file, at: plan.deployment.start, length: 10,
                                          help: "add 'data_dir:' to deployment, or save 'backplan detect --json' as \(Deployment.savedPath(forPlan: file))"))
            return (nil, diagnostics)
        }
        let compose = plan.deployment.compose.map { c in
            CompiledCompose(file: c.file.value,
                            project: c.project?.value ?? deployment?.compose.flatMap { $0.file == c.file.value ? $0.project : nil },
                            service: c.service.value,
                            command: (c.command?.value ?? "docker compose").split(separator: " ").map(String.init))
        }
        let container = plan.deployment.container.map { c in
            CompiledContainer(name: c.name.value, command: [c.command?.value ?? "docker"])
        }
        let sources = plan.sources.map { s in
            if s.kind.value == .key {
                return CompiledSource(name: s.name.value, kind: .key, path: s.name.value, absolutePath: s.path.value,
                                      exclude: [], service: s.service?.value, container: s.container?.value)
            }
            let absolute = s.path.value.hasPrefix("/")
            return CompiledSource(name: s.name.value, kind: s.kind.value,
                                  path: absolute ? String(s.path.value.dropFirst()) : s.path.value,
                                  absolutePath: absolute ? s.path.value : dataDir + "/" + s.path.value,
                                  exclude: s.exclude.map(\.value))
        }.sorted { $0.name < $1.name }
        let targets = plan.targets.map(lower).sorted { $0.name < $1.name }
        var jobs: [CompiledJob] = []
        let hostClock = HostClock(deployment)
        for job in plan.jobs {
            let schedule = job.schedule.schedule
            let cron: String
            switch schedule.cronLine() {
            case .success(let line):
                cron = line
            case .failure(let error):
                diagnostics.append(Diagnostic(.cronInexpressible, "cron cannot run job '\(job.name.value)' at the same instants: \(error.message)",
                                              file: file, at: job.schedule.location.start, length: job.schedule.location.width,
                                              help: error.help ?? "write a schedule that cron and systemd both express, e.g. '*-*-* 03:15'"))
                continue
            }
            jobs.append(CompiledJob(
                name: job.name.value,
                schedule: CompiledSchedule(expression: schedule.expression, syntax: schedule.syntax,
                                           onCalendar: schedule.onCalendarLines(on: hostClock), cron: cron),
                sources: job.sources.map(\.value).sorted(),
                targets: job.targets.map(\.value).sorted(),
                quiesce: lower(job.quiesce),
                retention: job.retention?.value,
                verify: job.verify,
                jitterSeconds: job.jitter?.value.seconds))
        }
        guard !diagnostics.hasErrors else { return (nil, diagnostics) }
        let notify = plan.notify.map {
            CompiledNotify(on: $0.on.sorted { $0.rawValue < $1.rawValue }, webhookURLFile: $0.webhookURLFile?.value,
                           webhookURLEnv: $0.webhookURLEnv?.value)
        }
        let compiled = CompiledPlan(
            format: CompiledPlan.currentFormat, name: name, source: "plans/\(name).yaml", dataDir: dataDir,
            stateDir: plan.deployment.stateDir?.value ?? "/var/lib/backplan/\(name)", compose: compose,
            container: container, sources: sources, targets: targets, jobs: jobs.sorted { $0.name < $1.name }, notify: notify,
            install: InstallPaths(scriptDir: "/usr/local/lib/backplan/\(name)", cronFile: "/etc/cron.d/backplan-\(name)",
                                  unitDir: "/etc/systemd/system"))
        return (compiled, diagnostics)
    }

    static func lower(_ target: Target) -> CompiledTarget {
        let kind: CompiledTarget.Kind = switch target.kind {
        case .local(let path):
            .local(path: path.value)
        case .rclone(let r):
            .rclone(CompiledRcloneTarget(remote: r.remote.value, configFile: r.configFile?.value, envFile: r.envFile?.value,
                                         bandwidthLimit: r.bandwidthLimit?.value, transfers: r.transfers?.value))
        case .restic(let r):
            .restic(CompiledResticTarget(repository: r.repository.value, passwordFile: r.passwordFile.value,
                                         envFile: r.envFile?.value, initialize: r.initialize))
        case .rsync(let r):
            .rsync(CompiledRsyncTarget(host: r.host.value, user: r.user?.value, port: r.port?.value, path: r.path.value,
                                       sshKey: r.sshKey?.value, knownHosts: r.knownHosts?.value, direction: r.direction))
        }
        return CompiledTarget(name: target.name.value, kind: kind)
    }

    static func lower(_ quiesce: Quiesce) -> CompiledQuiesce {
        switch quiesce {
        case .none:
            return .none
        case let .compose(services, max):
            return CompiledQuiesce(method: .compose, names: services.map(\.value), stopCommands: [], startCommands: [],
                                   maxDowntimeSeconds: max?.value.seconds)
        case let .containers(names, max):
            return CompiledQuiesce(method: .containers, names: names.map(\.value), stopCommands: [], startCommands: [],
                                   maxDowntimeSeconds: max?.value.seconds)
        case let .units(units, max):
            return CompiledQuiesce(method: .units, names: units.map(\.value), stopCommands: [], startCommands: [],
                                   maxDowntimeSeconds: max?.value.seconds)
        case let .commands(stop, start, max):
            return CompiledQuiesce(method: .commands, names: [], stopCommands: stop.map(\.value),
                                   startCommands: start.map(\.value), maxDowntimeSeconds: max?.value.seconds)
        }
    }
}

extension CompiledPlan {
    /// Canonical JSON: sorted keys, two-space indentation, final newline.
    public func canonicalJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
