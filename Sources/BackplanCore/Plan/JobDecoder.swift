extension NodeReader {
    static let jobKeys = ["schedule", "sources", "targets", "quiesce", "retention", "verify", "jitter"]
    static let retentionKeys = RetentionRule.allCases.map(\.planKey)

    /// A job; `sources` and `targets` are the names the plan declares.
    mutating func job(_ name: Located<String>, _ node: YAMLNode, start: SourceLocation, deployment: PlanDeployment?,
                      sources: [String], targets: [String]) -> Job?
    {
        let context = "job '\(name.value)'"
        guard let f = fields(node, in: context, known: Self.jobKeys, required: ["schedule", "targets"]) else { return nil }
        let schedule = f["schedule"].flatMap { self.schedule($0, context) }
        let jobSources = f["sources"].flatMap {
            references($0, "sources of \(context)", kind: "source", among: sources)
        } ?? sources.map { Located($0, start: name.start, width: name.width) }
        let jobTargets = f["targets"].flatMap {
            references($0, "targets of \(context)", kind: "target", among: targets)
        } ?? []
        if let t = f["targets"], t.sequence?.isEmpty == true {
            report(.emptySection, "\(context) has no targets", at: t, help: "name at least one target")
        }
        let quiesce = f["quiesce"].flatMap { self.quiesce($0, context, deployment: deployment) } ?? Quiesce.none
        let retention = f["retention"].flatMap { self.retention($0, context) }
        let verify = f["verify"].flatMap { choice($0, "verify of \(context)", among: VerifyLevel.allCases.map(\.rawValue)) }
            .flatMap { VerifyLevel(rawValue: $0.value) } ?? .manifest
        let jitter = f["jitter"].flatMap { duration($0, "jitter of \(context)") }
        guard let schedule else { return nil }
        return Job(name: name, schedule: schedule, sources: jobSources, targets: jobTargets, quiesce: quiesce,
                   retention: retention, verify: verify, jitter: jitter, start: start)
    }

    /// Names that must refer to entries of the plan; unknown ones get a suggestion.
    private mutating func references(_ node: YAMLNode, _ what: String, kind: String, among names: [String])
        -> [Located<String>]?
    {
        guard let items = strings(node, what, allowScalar: true) else { return nil }
        return items.filter { item in
            guard names.contains(item.value) else {
                var message = "\(what) names '\(item.value)', which is not a \(kind) of this plan"
                if let guess = Suggestion.closest(to: item.value, among: names) { message += "; did you mean '\(guess)'?" }
                report(.unknownReference, message, at: item.start, width: item.width,
                       help: names.isEmpty ? "define it under '\(kind)s:'" : "the \(kind)s are: \(names.joined(separator: ", "))")
                return false
            }
            return true
        }
    }

    /// A systemd calendar expression, a shorthand, or `{cron: "m h dom mon dow"}`.
    private mutating func schedule(_ node: YAMLNode, _ context: String) -> JobSchedule? {
        var valueNode = node
        var isCron = false
        if node.mapping != nil {
            guard let f = fields(node, in: "the schedule of \(context)", known: ["cron"], required: ["cron"]),
                  let cron = f["cron"] else { return nil }
            valueNode = cron
            isCron = true
        }
        guard let text = string(valueNode, "the schedule of \(context)") else { return nil }
        do {
            let schedule = isCron ? try ScheduleParser.parseCron(text.value) : try ScheduleParser.parseCalendar(text.value)
            return JobSchedule(schedule: schedule, location: text)
        } catch {
            // Point inside the expression when it sits on one line (quoted scalars start one column later).
            var at = valueNode.start
            var width = valueNode.width
            if let scalar = valueNode.scalar, valueNode.start.line == valueNode.end.line,
               scalar.style != .literal, scalar.style != .folded, !scalar.text.contains("\\")
            {
                at.column += error.offset + (scalar.style == .plain ? 0 : 1)
                width = error.length
            }
            report(.invalidSchedule, "the schedule of \(context): \(error.message)", at: at, width: width,
                   help: error.help ?? (isCron ? "write five fields: minute hour day-of-month month day-of-week"
                       : "write a systemd calendar expression such as '*-*-* 03:15' or 'Sun 04:00', or {cron: \"15 3 * * *\"}"))
            return nil
        }
    }

    private mutating func quiesce(_ node: YAMLNode, _ context: String, deployment: PlanDeployment?) -> Quiesce? {
        let what = "quiesce of \(context)"
        if let scalar = node.scalar, !scalar.isNull {
            guard choice(node, what, among: ["none"]) != nil else { return nil }
            return Quiesce.none
        }
        guard let f = fields(node, in: what, known: ["stop", "containers", "units", "commands", "max_downtime"]) else { return nil }
        let forms = ["stop", "containers", "units", "commands"].filter { f[$0] != nil }
        guard forms.count == 1 else {
            report(.conflictingKeys,
                   forms.isEmpty ? "\(what) says neither 'stop', 'containers', 'units' nor 'commands'"
                       : "\(what) mixes \(forms.map { "'\($0)'" }.joined(separator: " and ")); choose one",
                   at: node,
                   help: "stop compose services ({stop: [open-webui]}), containers ({containers: [open-webui]}), systemd units ({units: [open-webui.service]}) or run commands ({commands: {stop: [...], start: [...]}})")
            return nil
        }
        let maxDowntime = f["max_downtime"].flatMap { duration($0, "max_downtime of \(context)") }
        if let stop = f["stop"] {
            guard let services = strings(stop, "the services \(what) stops", allowScalar: true) else { return nil }
            for service in services where !NodeReader.isComposeServiceName(service.value) {
                report(.invalidName, "'\(service.value)' is not a compose service name", at: service.start, width: service.width,
                       help: "compose service names are letters, digits, '_', '.' and '-', starting with a letter or digit")
            }
            if deployment?.compose == nil, deployment != nil {
                report(.missingKey, "\(what) stops compose services, but the plan's deployment has no 'compose'",
                       at: stop, help: "add deployment.compose {file, service}, or quiesce with 'units' or 'commands'")
            }
            return .compose(services: services, maxDowntime: maxDowntime)
        }
        if let containers = f["containers"] {
            guard let names = strings(containers, "the containers \(what) stops", allowScalar: true) else { return nil }
            let valid = names.filter { containerName($0) }
            if deployment?.container == nil, deployment != nil {
                report(.missingKey, "\(what) stops containers, but the plan's deployment has no 'container'",
                       at: containers, help: "add deployment.container (the app's container, e.g. 'container: open-webui')")
            }
            return valid.count == names.count ? .containers(names, maxDowntime: maxDowntime) : nil
        }
        if let units = f["units"] {
            guard let names = strings(units, "the units \(what) stops", allowScalar: true) else { return nil }
            return .units(names, maxDowntime: maxDowntime)
        }
        guard let cf = fields(f["commands"]!, in: "commands of \(what)", known: ["stop", "start"],
                              required: ["stop", "start"]) else { return nil }
        let stop = cf["stop"].flatMap { strings($0, "stop commands of \(context)", allowScalar: true) }
        let start = cf["start"].flatMap { strings($0, "start commands of \(context)", allowScalar: true) }
        guard let stop, let start else { return nil }
        return .commands(stop: stop, start: start, maxDowntime: maxDowntime)
    }

    private mutating func retention(_ node: YAMLNode, _ context: String) -> Located<RetentionPolicy>? {
        guard let f = fields(node, in: "retention of \(context)", known: Self.retentionKeys) else { return nil }
        if node.mapping?.isEmpty == true {
            report(.emptySection, "retention of \(context) has no rules", at: node,
                   help: "add keep_daily, keep_weekly, … or remove 'retention' to keep every snapshot")
            return nil
        }
        if f.isEmpty { return nil } // only unknown keys, each reported already
        var policy = RetentionPolicy()
        for rule in RetentionRule.allCases {
            guard let value = f[rule.planKey] else { continue }
            policy[rule] = rule == .within ? duration(value, "keep_within of \(context)")?.value.seconds
                : integer(value, "\(rule.planKey) of \(context)", in: 1...100_000)?.value
        }
        return Located(policy, start: node.start)
    }
}
