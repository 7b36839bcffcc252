/// Decodes a plan's YAML node tree into a `Plan`, reporting every problem it finds in one pass.
public enum PlanDecoder {
    static let topKeys = ["version", "name", "deployment", "sources", "ignore", "targets", "jobs", "notify"]

    /// Decodes `root` (the document of `file`). The plan is nil only when the file is not a mapping or
    /// misses something no later stage can do without; diagnostics then say why.
    public static func decode(_ root: YAMLNode, file: String) -> (plan: Plan?, diagnostics: [Diagnostic]) {
        var reader = NodeReader(file: file)
        let plan = reader.plan(root)
        return (plan, reader.diagnostics)
    }
}

extension NodeReader {
    mutating func plan(_ root: YAMLNode) -> Plan? {
        guard let top = fields(root, in: "the plan", known: PlanDecoder.topKeys,
                               required: ["version", "name", "deployment", "sources", "targets", "jobs"])
        else { return nil }
        let version = top["version"].flatMap { versionNumber($0) }
        let name = top["name"].flatMap { self.name($0, "the plan's name") }
        if let name { checkFileName(name, node: top["name"]!) }
        let deploymentKey = root.mapping?.first { $0.key.scalar?.text == "deployment" }?.key.start ?? root.start
        let deployment = top["deployment"].flatMap { planDeployment($0, key: deploymentKey) }
        let sources = top["sources"].map { self.sources($0) } ?? []
        let ignore = top["ignore"].flatMap { strings($0, "ignore").map { $0.compactMap { relativePath($0) } } } ?? []
        let targets = top["targets"].map { self.targets($0) } ?? []
        // References are checked against every name declared, so a broken target is not reported twice.
        let declaredSources = top["sources"]?.mapping?.compactMap { $0.key.scalar?.text } ?? []
        let declaredTargets = top["targets"]?.mapping?.compactMap { $0.key.scalar?.text } ?? []
        let jobs = top["jobs"].map {
            self.jobs($0, deployment: deployment, sources: declaredSources, targets: declaredTargets)
        } ?? []
        let notify = top["notify"].flatMap { self.notify($0) }
        guard let version, let name, let deployment else { return nil }
        let sourcesKey = root.mapping?.first { $0.key.scalar?.text == "sources" }?.key.start ?? root.start
        return Plan(version: version, name: name, deployment: deployment, sources: sources, ignore: ignore,
                    targets: targets, jobs: jobs, notify: notify, sourcesKey: sourcesKey)
    }

    private mutating func versionNumber(_ node: YAMLNode) -> Int? {
        guard let text = string(node, "version") else { return nil }
        guard text.value == "1" else {
            report(.unsupportedVersion, "plan version '\(text.value)' is not supported; this backplan reads version 1",
                   at: node, help: "write 'version: 1'")
            return nil
        }
        return 1
    }

    /// A plan at `plans/x.yaml` should be named `x`: file names, units and snapshot paths follow the name.
    private mutating func checkFileName(_ name: Located<String>, node: YAMLNode) {
        let base = file.split(separator: "/").last.map(String.init) ?? file
        for suffix in [".yaml", ".yml"] where base.hasSuffix(suffix) {
            let stem = String(base.dropLast(suffix.count))
            if stem != name.value, NodeReader.isValidName(stem) {
                report(.nameMismatch, "the plan is named '\(name.value)' but its file is '\(base)'", at: node,
                       help: "rename the file to '\(name.value)\(suffix)' or write 'name: \(stem)'")
            }
        }
    }

    private mutating func planDeployment(_ node: YAMLNode, key: SourceLocation) -> PlanDeployment? {
        guard let f = fields(node, in: "deployment", known: ["compose", "container", "data_dir", "state_dir"]) else { return nil }
        var compose: ComposeReference?
        if let c = f["compose"],
           let cf = fields(c, in: "deployment.compose", known: ["file", "service", "project", "command"],
                           required: ["file", "service"])
        {
            let file = cf["file"].flatMap { absolutePath($0, "deployment.compose.file") }
            let service = cf["service"].flatMap { string($0, "deployment.compose.service") }
            if let name = service, !NodeReader.isComposeServiceName(name.value) {
                report(.invalidName, "'\(name.value)' is not a compose service name", at: name.start, width: name.width,
                       help: "compose service names are letters, digits, '_', '.' and '-', starting with a letter or digit")
            }
            let project = cf["project"].flatMap { string($0, "deployment.compose.project") }
            if let name = project, !NodeReader.isComposeProjectName(name.value) {
                report(.invalidName, "'\(name.value)' is not a compose project name", at: name.start, width: name.width,
                       help: "compose project names are lowercase letters, digits, '_' and '-', starting with a letter or digit")
            }
            let command = cf["command"].flatMap {
                choice($0, "deployment.compose.command",
                       among: ["docker compose", "docker-compose", "podman-compose", "podman compose"])
            }
            if let file, let service {
                compose = ComposeReference(file: file, service: service, project: project, command: command)
            }
        }
        let container = f["container"].flatMap { containerReference($0) }
        if f["compose"] != nil, let c = f["container"] {
            report(.conflictingKeys, "deployment names both 'compose' and 'container'; choose one", at: c,
                   help: "keep 'compose' for a deployment started with compose, 'container' for one started with 'docker run'")
        }
        let dataDir = f["data_dir"].flatMap { absolutePath($0, "deployment.data_dir") }
        let stateDir = f["state_dir"].flatMap { absolutePath($0, "deployment.state_dir") }
        if f["compose"] == nil, f["container"] == nil, f["data_dir"] == nil {
            report(.missingKey, "deployment needs 'compose', 'container' or 'data_dir'", at: node.start,
                   help: "add 'data_dir: /path/to/open-webui/data', 'compose: {file: …, service: open-webui}' or 'container: open-webui'")
        }
        return PlanDeployment(compose: compose, container: container, dataDir: dataDir, stateDir: stateDir, start: key)
    }

    /// `container: NAME` or `container: {name: NAME, command: docker|podman}`.
    private mutating func containerReference(_ node: YAMLNode) -> ContainerReference? {
        var name: Located<String>?
        var command: Located<String>?
        if node.mapping == nil {
            name = string(node, "deployment.container")
        } else {
            guard let cf = fields(node, in: "deployment.container", known: ["name", "command"], required: ["name"]) else { return nil }
            name = cf["name"].flatMap { string($0, "deployment.container.name") }
            command = cf["command"].flatMap { choice($0, "deployment.container.command", among: ["docker", "podman"]) }
        }
        guard let name, containerName(name) else { return nil }
        return ContainerReference(name: name, command: command)
    }

    /// Reports a name that is not a container name; true when it is one.
    mutating func containerName(_ name: Located<String>) -> Bool {
        guard NodeReader.isContainerName(name.value) else {
            report(.invalidName, "'\(name.value)' is not a container name", at: name.start, width: name.width,
                   help: "container names are letters, digits, '_', '.' and '-', starting with a letter or digit (at most 255)")
            return false
        }
        return true
    }

    /// A path under the data dir: no leading '/', no '..', no empty segments; `./x/` becomes `x`.
    mutating func relativePath(_ path: Located<String>) -> Located<String>? {
        let segments = path.value.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        guard !segments.contains(".."), !segments.isEmpty else {
            report(.invalidPath, "'\(path.value)' must name something inside the data dir (no '..')",
                   at: path.start, width: path.width, help: "write the path relative to the data dir, e.g. 'uploads'")
            return nil
        }
        var result = path
        result.value = segments.joined(separator: "/")
        return result
    }

    private mutating func sources(_ node: YAMLNode) -> [Source] {
        guard let pairs = node.mapping else {
            report(.wrongType, "sources must be a mapping of names to sources, not \(node.kindDescription)", at: node,
                   help: "write e.g. 'database: {path: webui.db, kind: sqlite}'")
            return []
        }
        if pairs.isEmpty { report(.emptySection, "the plan has no sources", at: node, help: "name what to back up") }
        var result: [Source] = []
        for pair in pairs {
            guard let name = name(pair.key, "source name") else { continue }
            let context = "source '\(name.value)'"
            guard let f = fields(pair.value, in: context, known: ["path", "kind", "exclude", "service", "container"], required: ["path", "kind"])
            else { continue }
            let kind = f["kind"].flatMap { choice($0, "the kind of \(context)", among: SourceKind.allCases.map(\.rawValue)) }
            let kindValue = kind.flatMap { SourceKind(rawValue: $0.value) }
            let rawPath = f["path"].flatMap { string($0, "the path of \(context)") }
            let path: Located<String>?
            if kindValue == .key {
                // A key file is named where it lives: on the host, or in the service's container.
                path = rawPath.flatMap { _ in absolutePath(f["path"]!, "the path of key \(context)") }
            } else {
                path = rawPath.flatMap { $0.value.hasPrefix("/") ? absolutePath(f["path"]!, "the path of \(context)") : relativePath($0) }
            }
            let exclude = f["exclude"].flatMap { strings($0, "exclude of \(context)", allowScalar: true) } ?? []
            if kindValue == .sqlite || kindValue == .key, !exclude.isEmpty {
                report(.conflictingKeys, "exclude has no meaning for a \(kindValue!.rawValue) source", at: f["exclude"]!,
                       help: "remove 'exclude' from \(context)")
            }
            var service: Located<String>?
            if let node = f["service"] {
                service = string(node, "the service of \(context)")
                if let name = service, !NodeReader.isComposeServiceName(name.value) {
                    report(.invalidName, "'\(name.value)' is not a compose service name", at: name.start, width: name.width,
                           help: "compose service names are letters, digits, '_', '.' and '-', starting with a letter or digit")
                    service = nil
                } else if kindValue != nil, kindValue != .key {
                    report(.conflictingKeys, "only a key source is read from a container; \(context) is kind \(kindValue!.rawValue)",
                           at: node, help: "remove 'service' from \(context)")
                    service = nil
                }
            }
            var container: Located<String>?
            if let node = f["container"] {
                container = string(node, "the container of \(context)")
                if let name = container, !containerName(name) {
                    container = nil
                } else if kindValue != nil, kindValue != .key {
                    report(.conflictingKeys, "only a key source is read from a container; \(context) is kind \(kindValue!.rawValue)",
                           at: node, help: "remove 'container' from \(context)")
                    container = nil
                } else if f["service"] != nil {
                    report(.conflictingKeys, "\(context) names both a compose 'service' and a 'container'; choose one",
                           at: node, help: "a compose deployment reads keys from a service, a 'docker run' one from a container")
                    container = nil
                }
            }
            guard let kind, let kindValue, let path else { continue }
            result.append(Source(name: name, path: path, kind: Located(kindValue, start: kind.start, width: kind.width),
                                 exclude: exclude, service: service, container: container))
        }
        return result
    }

    private mutating func targets(_ node: YAMLNode) -> [Target] {
        guard let pairs = node.mapping else {
            report(.wrongType, "targets must be a mapping of names to targets, not \(node.kindDescription)", at: node,
                   help: "write e.g. 'local: {type: local, path: /srv/backups/openwebui}'")
            return []
        }
        if pairs.isEmpty { report(.emptySection, "the plan has no targets", at: node, help: "say where copies go") }
        var result: [Target] = []
        for pair in pairs {
            guard let name = name(pair.key, "target name") else { continue }
            if let target = target(name, pair.value) { result.append(target) }
        }
        return result
    }

    private mutating func jobs(_ node: YAMLNode, deployment: PlanDeployment?, sources: [String],
                               targets: [String]) -> [Job]
    {
        guard let pairs = node.mapping else {
            report(.wrongType, "jobs must be a mapping of names to jobs, not \(node.kindDescription)", at: node,
                   help: "write e.g. 'daily: {schedule: \"*-*-* 03:15\", targets: [local]}'")
            return []
        }
        if pairs.isEmpty { report(.emptySection, "the plan has no jobs", at: node, help: "add a job with a schedule") }
        var result: [Job] = []
        for pair in pairs {
            guard let name = name(pair.key, "job name") else { continue }
            if let job = job(name, pair.value, start: pair.key.start, deployment: deployment, sources: sources,
                             targets: targets)
            {
                result.append(job)
            }
        }
        return result
    }

    private mutating func notify(_ node: YAMLNode) -> Notify? {
        guard let f = fields(node, in: "notify", known: ["on", "webhook"], required: ["webhook"]) else { return nil }
        var events: [Notify.Event] = [.failure, .partial]
        if let on = f["on"], let names = strings(on, "notify.on", allowScalar: true) {
            events = names.compactMap { item in
                let choices = Notify.Event.allCases.map(\.rawValue)
                guard let event = Notify.Event(rawValue: item.value) else {
                    report(.invalidValue, "notify.on must list events from \(choices.joined(separator: ", ")), not '\(item.value)'",
                           at: item.start, width: item.width, help: "write e.g. 'on: [failure, partial]'")
                    return nil
                }
                return event
            }
        }
        guard let w = f["webhook"], let wf = fields(w, in: "notify.webhook", known: ["url_file", "url_env"]) else {
            return nil
        }
        let file = wf["url_file"].flatMap { absolutePath($0, "notify.webhook.url_file") }
        let env = wf["url_env"].flatMap { environmentName($0, "notify.webhook.url_env") }
        if (wf["url_file"] == nil) == (wf["url_env"] == nil) {
            report(.conflictingKeys, "notify.webhook needs exactly one of 'url_file' and 'url_env'", at: w,
                   help: "webhook URLs carry tokens: keep them in a file (url_file) or an environment variable (url_env)")
        }
        return Notify(on: events, webhookURLFile: file, webhookURLEnv: env)
    }

    /// The name of an environment variable: letters, digits and '_', not starting with a digit.
    mutating func environmentName(_ node: YAMLNode, _ what: String) -> Located<String>? {
        guard let text = string(node, what) else { return nil }
        let scalars = text.value.unicodeScalars
        func isWordScalar(_ c: Unicode.Scalar) -> Bool {
            ("A"..."Z").contains(c) || ("a"..."z").contains(c) || ("0"..."9").contains(c) || c == "_"
        }
        let valid = scalars.allSatisfy(isWordScalar) && !("0"..."9").contains(scalars.first!)
        guard valid else {
            report(.invalidValue, "\(what) '\(text.value)' is not an environment variable name", at: node,
                   help: "write a name such as BACKPLAN_WEBHOOK_URL")
            return nil
        }
        return text
    }
}
