/// The JSON Schema (draft 2020-12) of the plan language, for editors and check-jsonschema.
/// Built from the decoder's own key tables so that the two cannot drift apart.
public enum PlanSchema {
    public static var document: JSONValue {
        [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://backplan.dev/schema/plan-v1.json",
            "title": "backplan plan, version 1",
            "type": "object",
            "additionalProperties": false,
            "required": ["version", "name", "deployment", "sources", "targets", "jobs"],
            "properties": [
                "version": ["enum": [1, "1"], "description": "Version of the plan language."],
                "name": name("Names generated files, units and snapshot paths."),
                "deployment": deployment,
                "sources": ["type": "object", "minProperties": 1, "propertyNames": name(""), "additionalProperties": source],
                "ignore": ["type": "array", "items": string("A data-dir entry left out on purpose.")],
                "targets": ["type": "object", "minProperties": 1, "propertyNames": name(""), "additionalProperties": target],
                "jobs": ["type": "object", "minProperties": 1, "propertyNames": name(""), "additionalProperties": job],
                "notify": notify,
            ],
        ]
    }

    static func name(_ description: String) -> JSONValue {
        var o: [String: JSONValue] = ["type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"]
        if !description.isEmpty { o["description"] = .string(description) }
        return .object(o)
    }

    static func string(_ description: String) -> JSONValue { ["type": "string", "minLength": 1, "description": .string(description)] }
    static func absolutePath(_ description: String) -> JSONValue {
        ["type": "string", "pattern": "^/", "description": .string(description)]
    }
    static let duration: JSONValue = ["type": "string", "pattern": "^([0-9]+[smhdw])+$", "description": "90s, 10m, 2h, 7d, 2w"]
    static let stringOrList: JSONValue = ["oneOf": [["type": "string"], ["type": "array", "items": ["type": "string"], "uniqueItems": true]]]

    static func object(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        ["type": "object", "additionalProperties": false, "properties": .object(properties),
         "required": .array(required.map { .string($0) })]
    }

    static var deployment: JSONValue {
        var d = object([
            "compose": object([
                "file": absolutePath("The Docker Compose file."),
                "service": string("The service whose volume holds the data dir."),
                "project": string("Compose project name."),
                "command": ["enum": ["docker compose", "docker-compose", "podman-compose", "podman compose"]],
            ], required: ["file", "service"]),
            "container": ["oneOf": [
                string("The app's container (docker run --name), managed with docker."),
                object(["name": string("The app's container (docker run --name)."),
                        "command": ["enum": ["docker", "podman"]]], required: ["name"]),
            ]],
            "data_dir": absolutePath("The Open WebUI data dir on the host."),
            "state_dir": absolutePath("Locks, staging and the run log."),
        ])
        if case .object(var o) = d {
            o["anyOf"] = [["required": ["compose"]], ["required": ["container"]], ["required": ["data_dir"]]]
            o["not"] = ["required": ["compose", "container"]]
            d = .object(o)
        }
        return d
    }

    static var source: JSONValue {
        object([
            "path": string("Relative to the data dir unless absolute; a key source's absolute path (in the container with service or container)."),
            "kind": ["enum": .array(SourceKind.allCases.map { .string($0.rawValue) })],
            "exclude": stringOrList,
            "service": string("A key source's compose service, whose container holds the file."),
            "container": string("A key source's container (by name), which holds the file."),
        ], required: ["path", "kind"])
    }

    static var target: JSONValue {
        let fields: [String: JSONValue] = [
            "path": absolutePath("Folder of the snapshots."),
            "remote": ["type": "string", "pattern": ":", "description": "rclone remote:path"],
            "config_file": absolutePath("rclone config file."),
            "env_file": absolutePath("Environment file with credentials."),
            "bwlimit": string("rclone --bwlimit."),
            "transfers": ["type": "integer", "minimum": 1, "maximum": 64],
            "repository": string("restic repository."),
            "password_file": absolutePath("restic password file."),
            "init": ["type": "boolean"],
            "host": string("SSH host."),
            "user": string("SSH user."),
            "port": ["type": "integer", "minimum": 1, "maximum": 65535],
            "ssh_key": absolutePath("SSH private key."),
            "known_hosts": absolutePath("known_hosts file."),
            "direction": ["enum": ["push", "pull"]],
        ]
        let variants: [JSONValue] = TargetType.allCases.sorted { $0.rawValue < $1.rawValue }.map { type in
            var properties: [String: JSONValue] = ["type": ["const": .string(type.rawValue)]]
            for key in type.keys { properties[key] = fields[key] }
            return object(properties, required: ["type"] + type.requiredKeys)
        }
        return ["oneOf": .array(variants)]
    }

    static var job: JSONValue {
        let count: JSONValue = ["type": "integer", "minimum": 1, "maximum": 100_000]
        var retention: [String: JSONValue] = [:]
        for key in NodeReader.retentionKeys { retention[key] = key == "keep_within" ? duration : count }
        let quiesce: JSONValue = ["oneOf": [
            ["const": "none"],
            object(["stop": stringOrList, "max_downtime": duration], required: ["stop"]),
            object(["containers": stringOrList, "max_downtime": duration], required: ["containers"]),
            object(["units": stringOrList, "max_downtime": duration], required: ["units"]),
            object(["commands": object(["stop": stringOrList, "start": stringOrList], required: ["stop", "start"]),
                    "max_downtime": duration], required: ["commands"]),
        ]]
        let properties: [String: JSONValue] = [
            "schedule": ["oneOf": [string("systemd calendar expression or hourly/daily/weekly/monthly"),
                                   object(["cron": string("m h dom mon dow")], required: ["cron"])]],
            "sources": stringOrList,
            "targets": stringOrList,
            "quiesce": quiesce,
            "retention": ["type": "object", "additionalProperties": false, "minProperties": 1, "properties": .object(retention)],
            "verify": ["enum": .array(VerifyLevel.allCases.map { .string($0.rawValue) })],
            "jitter": duration,
        ]
        precondition(Set(properties.keys) == Set(NodeReader.jobKeys), "schema and decoder disagree on job keys")
        return object(properties, required: ["schedule", "targets"])
    }

    static var notify: JSONValue {
        object([
            "on": ["type": "array", "items": ["enum": .array(Notify.Event.allCases.map { .string($0.rawValue) })]],
            "webhook": object(["url_file": absolutePath("File holding the webhook URL."),
                               "url_env": ["type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"]]),
        ], required: ["webhook"])
    }
}
