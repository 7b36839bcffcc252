/// The rules a compiled plan keeps, checked again when plan.json is read back: names by the plan
/// language's rule, clean absolute paths, references that resolve. Every problem, in field order.
public enum CompiledPlanValidator {
    public static func problems(_ plan: CompiledPlan) -> [CompiledPlanProblem] {
        var out: [CompiledPlanProblem] = []
        name(plan.name, "name", &out)
        relativePath(plan.source, "source", &out)
        absolutePath(plan.dataDir, "data_dir", &out)
        absolutePath(plan.stateDir, "state_dir", &out)
        if let compose = plan.compose {
            absolutePath(compose.file, "compose.file", &out)
            if let project = compose.project, !NodeReader.isComposeProjectName(project) {
                out.append(CompiledPlanProblem("compose.project", "'\(printable(project))' is not a compose project name "
                    + "(lowercase letters, digits, '_' and '-', starting with a letter or digit)"))
            }
            if !NodeReader.isComposeServiceName(compose.service) {
                out.append(CompiledPlanProblem("compose.service", "'\(printable(compose.service))' is not a compose service name "
                    + "(letters, digits, '_', '.' and '-', starting with a letter or digit)"))
            }
            if compose.command.isEmpty { out.append(CompiledPlanProblem("compose.command", "names no command")) }
            for (i, word) in compose.command.enumerated() { text(word, "compose.command[\(i)]", &out) }
        }
        if let container = plan.container {
            if !NodeReader.isContainerName(container.name) {
                out.append(CompiledPlanProblem("container.name", "'\(printable(container.name))' is not a container name "
                    + "(letters, digits, '_', '.' and '-', starting with a letter or digit)"))
            }
            if container.command != ["docker"], container.command != ["podman"] {
                out.append(CompiledPlanProblem("container.command", "must be [\"docker\"] or [\"podman\"]"))
            }
            if plan.compose != nil { out.append(CompiledPlanProblem("container", "must be absent when the plan has a compose file")) }
        }
        unique(plan.sources.map(\.name), "sources", &out)
        for (i, source) in plan.sources.enumerated() { check(source, in: plan, "sources[\(i)]", &out) }
        unique(plan.targets.map(\.name), "targets", &out)
        for (i, target) in plan.targets.enumerated() { check(target, "targets[\(i)]", &out) }
        unique(plan.jobs.map(\.name), "jobs", &out)
        if plan.jobs.isEmpty { out.append(CompiledPlanProblem("jobs", "holds no job")) }
        for (i, job) in plan.jobs.enumerated() { check(job, in: plan, "jobs[\(i)]", &out) }
        if let file = plan.notify?.webhookURLFile { absolutePath(file, "notify.webhook_url_file", &out) }
        absolutePath(plan.install.scriptDir, "install.script_dir", &out)
        absolutePath(plan.install.cronFile, "install.cron_file", &out)
        absolutePath(plan.install.unitDir, "install.unit_dir", &out)
        return out
    }

    static func check(_ source: CompiledSource, in plan: CompiledPlan, _ field: String, _ out: inout [CompiledPlanProblem]) {
        name(source.name, field + ".name", &out)
        if source.kind == .key {
            // keys/<name>, read from the host file (or the service's container) at absolute_path.
            if source.path != source.name { out.append(CompiledPlanProblem(field + ".path", "must be the source's name for a key source")) }
            absolutePath(source.absolutePath, field + ".absolute_path", &out)
            if !source.exclude.isEmpty { out.append(CompiledPlanProblem(field + ".exclude", "must be empty for a key source")) }
            if let service = source.service {
                if !NodeReader.isComposeServiceName(service) {
                    out.append(CompiledPlanProblem(field + ".service", "must be a compose service name ([A-Za-z0-9][A-Za-z0-9_.-]*)"))
                }
                if plan.compose == nil { out.append(CompiledPlanProblem(field + ".service", "needs compose: the plan has no compose file")) }
            }
            if let container = source.container {
                if !NodeReader.isContainerName(container) {
                    out.append(CompiledPlanProblem(field + ".container", "must be a container name ([A-Za-z0-9][A-Za-z0-9_.-]*)"))
                }
                if plan.container == nil { out.append(CompiledPlanProblem(field + ".container", "needs container: the plan names no container")) }
                if source.service != nil { out.append(CompiledPlanProblem(field + ".container", "must be absent when service is given")) }
            }
            return
        }
        if source.service != nil { out.append(CompiledPlanProblem(field + ".service", "only a key source has a service")) }
        if source.container != nil { out.append(CompiledPlanProblem(field + ".container", "only a key source has a container")) }
        relativePath(source.path, field + ".path", &out)
        absolutePath(source.absolutePath, field + ".absolute_path", &out)
        if source.absolutePath != plan.dataDir + "/" + source.path && source.absolutePath != "/" + source.path {
            out.append(CompiledPlanProblem(field + ".absolute_path", "must be data_dir/path, or /path for a source outside the data dir"))
        }
        for (i, pattern) in source.exclude.enumerated() { text(pattern, field + ".exclude[\(i)]", &out) }
    }

    static func check(_ job: CompiledJob, in plan: CompiledPlan, _ field: String, _ out: inout [CompiledPlanProblem]) {
        name(job.name, field + ".name", &out)
        if job.sources.isEmpty { out.append(CompiledPlanProblem(field + ".sources", "names no source")) }
        for (i, source) in job.sources.enumerated() where plan.source(named: source) == nil {
            out.append(CompiledPlanProblem(field + ".sources[\(i)]", "names '\(source)', which is not in sources"))
        }
        unique(job.sources, field + ".sources", &out)
        if job.targets.isEmpty { out.append(CompiledPlanProblem(field + ".targets", "names no target")) }
        for (i, target) in job.targets.enumerated() where plan.target(named: target) == nil {
            out.append(CompiledPlanProblem(field + ".targets[\(i)]", "names '\(target)', which is not in targets"))
        }
        unique(job.targets, field + ".targets", &out)
        check(job.quiesce, field + ".quiesce", &out)
        if job.quiesce.method == .containers {
            if plan.container == nil { out.append(CompiledPlanProblem(field + ".quiesce.method", "containers needs container: the plan names no container")) }
            for (i, name) in job.quiesce.names.enumerated() where !NodeReader.isContainerName(name) {
                out.append(CompiledPlanProblem(field + ".quiesce.names[\(i)]", "must be a container name ([A-Za-z0-9][A-Za-z0-9_.-]*)"))
            }
        }
        if job.quiesce.method == .compose, plan.compose == nil {
            out.append(CompiledPlanProblem(field + ".quiesce.method", "compose needs compose: the plan has no compose file"))
        }
        if let retention = job.retention { check(retention, field + ".retention", &out) }
        if let jitter = job.jitterSeconds, jitter < 0 { out.append(CompiledPlanProblem(field + ".jitter_seconds", "must not be negative")) }
    }

    static func check(_ quiesce: CompiledQuiesce, _ field: String, _ out: inout [CompiledPlanProblem]) {
        let expected: (names: Bool, commands: Bool) = switch quiesce.method {
        case .none: (false, false)
        case .compose, .containers, .units: (true, false)
        case .commands: (false, true)
        }
        if quiesce.names.isEmpty == expected.names {
            out.append(CompiledPlanProblem(field + ".names", expected.names ? "names nothing to stop" : "must be empty for method \(quiesce.method.rawValue)"))
        }
        if quiesce.stopCommands.isEmpty == expected.commands {
            out.append(CompiledPlanProblem(field + ".stop_commands", expected.commands ? "holds no stop command" : "must be empty for method \(quiesce.method.rawValue)"))
        }
        if !expected.commands && !quiesce.startCommands.isEmpty {
            out.append(CompiledPlanProblem(field + ".start_commands", "must be empty for method \(quiesce.method.rawValue)"))
        }
        for (i, name) in quiesce.names.enumerated() { text(name, field + ".names[\(i)]", &out) }
        if let seconds = quiesce.maxDowntimeSeconds, seconds < 1 {
            out.append(CompiledPlanProblem(field + ".max_downtime_seconds", "must be at least 1"))
        }
    }

    static func check(_ r: RetentionPolicy, _ field: String, _ out: inout [CompiledPlanProblem]) {
        if RetentionRule.allCases.allSatisfy({ r[$0] == nil }) {
            out.append(CompiledPlanProblem(field, "names no rule: write none to keep every snapshot"))
        }
        for rule in RetentionRule.allCases {
            if let value = r[rule], value < 1 { out.append(CompiledPlanProblem(field + "." + rule.key, "must be at least 1")) }
        }
    }
}
