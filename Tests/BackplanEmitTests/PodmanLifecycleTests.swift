import Foundation
import TestSupport
import Testing

/// A test that fails or throws must not leave its podman service (or its containers) running. The
/// parent test runs this test bundle again in a child process, with only one of the `Child` tests
/// enabled: that test starts a service and a container, writes their ids to a file, and then fails
/// on purpose. When the child has exited, the parent looks for the service's process and the container.
@Suite(.serialized) struct PodmanLifecycleTests {
    static let childVariable = "BACKPLAN_PODMAN_LIFECYCLE_CHILD"

    /// What the child writes: `<service pid> <project> <service directory>`.
    struct Record {
        var pid: pid_t
        var project: String
        var directory: String
    }

    @Test(arguments: ["aFailedTestStopsItsService", "aThrowingOwnerStopsItsService"])
    func noServiceOutlivesAFailingTest(child: String) throws {
        let dir = try TempDir()
        let recordPath = dir.path + "/record"
        var environment = ProcessInfo.processInfo.environment
        environment[Self.childVariable] = recordPath
        let bundle = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let run = CleanProcess.run(bundle, ["--testing-library", "swift-testing",
                                            "--filter", "PodmanLifecycleTests/Child/\(child)"],
                                   scratch: dir.path, environment: environment)
        #expect(run.status != 0, "the child test fails on purpose:\n\(run.stdout)\(run.stderr)")
        #expect((run.stdout + run.stderr).contains("failing on purpose"), "\(run.stdout)\(run.stderr)")
        let fields = try String(contentsOfFile: recordPath, encoding: .utf8).split(separator: " ").map(String.init)
        try #require(fields.count == 3, "record: \(fields)")
        let record = Record(pid: pid_t(fields[0])!, project: fields[1], directory: fields[2])
        #expect(!Self.isPodmanService(record.pid), "podman system service (pid \(record.pid)) outlived its failed test")
        #expect(!FileManager.default.fileExists(atPath: record.directory), "the service's folder \(record.directory) stays")
        // The container the child started: asked of podman's own CLI (no service is needed for that).
        let containers = try runTool("podman", ["ps", "-aq", "--filter", "label=com.docker.compose.project=\(record.project)"])
        #expect(containers.status == 0, "\(containers.stderr)")
        #expect(containers.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                "containers of \(record.project) outlived the failed test: \(containers.stdout)")
    }

    /// Whether `pid` is a running (not zombie) `podman system service`.
    static func isPodmanService(_ pid: pid_t) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let state = status.split(separator: ")").last?.split(separator: " ").first, state != "Z",
              let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return String(decoding: command, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
            .contains("system service")
    }

    /// The tests the parent runs in a child process; skipped in every other run.
    @Suite(.enabled(if: ProcessInfo.processInfo.environment[PodmanLifecycleTests.childVariable] != nil))
    struct Child {
        struct OnPurpose: Error, CustomStringConvertible {
            var description: String { "failing on purpose" }
        }

        /// An owner whose initializer throws after starting the service, as a fixture does when
        /// `docker-compose up` fails: the half-made owner is released and never torn down.
        final class Owner {
            let podman: PodmanService
            init() throws {
                podman = try PodmanService()
                try Child.startContainer(podman)
                throw OnPurpose()
            }
        }

        static func startContainer(_ podman: PodmanService) throws {
            let project = podman.newProject()
            try podman.docker(["run", "-d", "--pull=never", "--init", "--label", "com.docker.compose.project=\(project)",
                               try podman.busyboxImage(), "sleep", "600"])
            let record = ProcessInfo.processInfo.environment[PodmanLifecycleTests.childVariable]!
            try "\(podman.pid) \(project) \(podman.directory)".write(toFile: record, atomically: true, encoding: .utf8)
        }

        @Test func aFailedTestStopsItsService() throws {
            let podman = try PodmanService()
            try Self.startContainer(podman)
            Issue.record("failing on purpose")
        }

        @Test func aThrowingOwnerStopsItsService() throws {
            _ = try Owner()
        }
    }
}
