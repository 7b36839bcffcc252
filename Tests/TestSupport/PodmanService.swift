import Foundation

/// A podman API service on a temp socket, serving the Docker API to the `docker` CLI
/// (see RECIPES.md: runtime runc, no registry). Stop it with `stop()`; it is stopped by its pid, and
/// with it every container of the compose projects it handed out (`newProject`). A service that is
/// released without `stop()` (a test that failed or threw, an initializer that threw half way) stops
/// itself in `deinit`, so no `podman system service` outlives its test (PodmanLifecycleTests).
public final class PodmanService {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public let directory: String
    let process: Process
    /// The value of DOCKER_HOST that reaches this service.
    public let dockerHost: String
    /// The environment for `docker` and for detection: the test's environment plus DOCKER_HOST.
    public let environment: [String: String]
    /// The compose projects handed out by `newProject`: their containers are removed by `stop()`.
    private var projects: [String] = []

    /// Whether this service keeps its images, containers and volumes in its own folder.
    public let isolated: Bool

    /// Starts `podman system service` and waits until `docker version` answers through it.
    /// `isolated`: images, containers and volumes live in this service's folder (storage driver vfs), so
    /// `docker ps -a` lists only this test's containers, not those of tests running beside it; `stop()`
    /// removes them all.
    public init(isolated: Bool = false) throws {
        self.isolated = isolated
        let base = ProcessInfo.processInfo.environment
        let path = base["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for tool in ["podman", "docker"] where Self.find(tool, path: path) == nil {
            throw Failure(description: "\(tool) is not installed: `make deps` installs podman, runc and the docker CLI (CI installs them)")
        }
        directory = FileManager.default.temporaryDirectory.path + "/backplan-podman-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try """
            [containers]
            default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
            [engine]
            runtime = "runc"

            """.write(toFile: directory + "/containers.conf", atomically: true, encoding: .utf8)
        dockerHost = "unix://\(directory)/podman.sock"
        var environment = base
        environment["CONTAINERS_CONF"] = directory + "/containers.conf"
        if isolated {
            try """
                [storage]
                driver = "vfs"
                graphroot = "\(directory)/storage"
                runroot = "\(directory)/run"

                """.write(toFile: directory + "/storage.conf", atomically: true, encoding: .utf8)
            environment["CONTAINERS_STORAGE_CONF"] = directory + "/storage.conf"
        }
        environment["DOCKER_HOST"] = dockerHost
        self.environment = environment
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.find("podman", path: path) ?? "podman")
        process.arguments = ["system", "service", "--time=0", dockerHost]
        process.environment = environment
        _ = FileManager.default.createFile(atPath: directory + "/podman.log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/podman.log"))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while (try? docker(["version", "--format", "{{.Server.Version}}"])) == nil {
            guard Date() < deadline, process.isRunning else {
                stop()
                let log = (try? String(contentsOfFile: directory + "/podman.log", encoding: .utf8)) ?? ""
                throw Failure(description: "podman system service did not answer on \(dockerHost) within 20 s:\n\(log)")
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    /// Runs `docker ARGS` against this service; returns stdout, throws on a non-zero exit.
    @discardableResult
    public func docker(_ arguments: [String]) throws -> String {
        let run = Process()
        run.executableURL = URL(fileURLWithPath: Self.find("docker", path: environment["PATH"] ?? "") ?? "docker")
        run.arguments = arguments
        run.environment = environment
        let out = Pipe()
        let err = Pipe()
        run.standardOutput = out
        run.standardError = err
        try run.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        run.waitUntilExit()
        guard run.terminationStatus == 0 else {
            throw Failure(description: "docker \(arguments.joined(separator: " ")) exited \(run.terminationStatus): "
                          + String(decoding: errors, as: UTF8.self))
        }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The process id of `podman system service`.
    public var pid: pid_t { process.processIdentifier }

    /// A new compose project name (`<prefix><random>`) whose containers `stop()` removes.
    public func newProject(prefix: String = "bptest") -> String {
        let project = prefix + UUID().uuidString.prefix(8).lowercased()
        projects.append(project)
        return project
    }

    /// Removes the containers of this service's projects (whatever their state), then stops the
    /// service (SIGTERM to its pid) and removes its temp folder. Safe to call more than once.
    public func stop() {
        if process.isRunning {
            for project in projects {
                let ids = (try? docker(["ps", "-aq", "--filter", "label=com.docker.compose.project=\(project)"])) ?? ""
                let list = ids.split(whereSeparator: \.isWhitespace).map(String.init)
                if !list.isEmpty { _ = try? docker(["rm", "-f"] + list) }
                _ = try? docker(["network", "rm", "\(project)_default"])
            }
            projects = []
            if isolated {
                let ids = (try? docker(["ps", "-aq"])) ?? ""
                let list = ids.split(whereSeparator: \.isWhitespace).map(String.init)
                if !list.isEmpty { _ = try? docker(["rm", "-f"] + list) }
            }
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }

    public static func find(_ tool: String, path: String) -> String? {
        path.split(separator: ":").map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A tiny local image with busybox as every tool (no registry is reachable here), built once per
    /// service from Debian's busybox-static: `localhost/backplan-busybox:latest`.
    public func busyboxImage() throws -> String {
        let image = "localhost/backplan-busybox:latest"
        if (try? docker(["image", "inspect", image])) != nil { return image }
        guard FileManager.default.isExecutableFile(atPath: "/bin/busybox") else {
            throw Failure(description: "/bin/busybox is missing: `make deps` installs busybox-static")
        }
        let rootfs = directory + "/rootfs"
        try FileManager.default.createDirectory(atPath: rootfs + "/bin", withIntermediateDirectories: true)
        for folder in ["tmp", "proc", "sys", "dev", "etc"] {
            try FileManager.default.createDirectory(atPath: rootfs + "/" + folder, withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: rootfs + "/bin/busybox")
        for tool in ["sh", "sleep", "date", "echo", "cat", "ls", "kill", "true"] {
            try FileManager.default.createSymbolicLink(atPath: rootfs + "/bin/" + tool, withDestinationPath: "busybox")
        }
        let script = "tar -C \(rootfs) -c . | podman import - \(image)"
        let run = Process()
        run.executableURL = URL(fileURLWithPath: "/bin/bash")
        run.arguments = ["-c", script]
        run.environment = environment
        run.standardOutput = FileHandle.nullDevice
        try run.run()
        run.waitUntilExit()
        guard run.terminationStatus == 0 else { throw Failure(description: "podman import of busybox failed") }
        return image
    }
}
