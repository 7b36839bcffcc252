@testable import BackplanCore
import Foundation
import TestSupport
import Testing

/// The two executors of the run contract, started as processes the way cron would start them: the
/// generated bash script, and the built `backplan run` binary.
enum FaultExecutor: String, CaseIterable, CustomStringConvertible, Sendable {
    case script, runtime

    var description: String { rawValue }

    /// The command line running the plan's first job with this executor.
    func commandLine(_ h: RunHarness, _ plan: CompiledPlan) throws -> [String] {
        switch self {
        case .script: return ["/bin/bash", try h.writeScript(plan)]
        case .runtime:
            let binary = try #require(RunHarness.binary, "the built backplan binary is missing (swift build first)")
            return [binary, "run", try h.writePlan(plan), plan.jobs[0].name]
        }
    }

    /// Runs the job to its end; `user` (e.g. 65534) runs it under `setpriv` without root's rights.
    func run(_ h: RunHarness, _ plan: CompiledPlan, user: Int? = nil) throws -> JobScriptHarness.Result {
        var line = try commandLine(h, plan)
        if let user {
            // What commandLine just wrote (script, plan.json) belongs to the user too: an in-process runtime
            // test elsewhere may hold the process umask at 077 (RunExecutor.run), so modes alone cannot be trusted.
            _ = RunHarness.run("/bin/chown", ["-R", "\(user):\(user)", "--", h.root])
            line = ["/usr/bin/setpriv", "--reuid=\(user)", "--regid=\(user)", "--clear-groups", "--"] + line
        }
        return RunHarness.run(line[0], Array(line.dropFirst()), scratch: h.root)
    }
}

extension RunHarness {
    /// Mounts a tmpfs of `size` at `<root>/<name>`; the mount point is returned. Fails (never skips) when
    /// mounting is not possible.
    func mountTmpfs(_ name: String, size: String) throws -> String {
        let dir = root + "/" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let result = RunHarness.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", dir])
        if result.status != 0 {
            throw FaultError(description: "cannot mount a tmpfs at \(dir) (the fault tests need root and mount): \(result.stderr)")
        }
        return dir
    }

    func unmount(_ dir: String) {
        _ = RunHarness.run("/bin/umount", ["-l", dir])
    }

    /// `sha256sum -c` passes in the snapshot folder.
    func manifestChecks(_ snapshot: String) -> Bool {
        RunHarness.run("/bin/bash", ["-c", "cd \(Shell.quote(snapshot)) && sha256sum -c --quiet --strict MANIFEST.sha256"]).status == 0
    }

    /// `.partial` (or `.deleting`) folders left in the job folder.
    func leftovers(_ plan: CompiledPlan, target: String? = nil) -> [String] {
        let dir = jobDir(plan, target: target)
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix(".") }.sorted()
    }

    /// The plan restricted to the named sources.
    static func only(_ plan: CompiledPlan, sources names: [String]) -> CompiledPlan {
        var plan = plan
        plan.sources = plan.sources.filter { names.contains($0.name) }
        plan.jobs[0].sources = plan.jobs[0].sources.filter { names.contains($0) }
        return plan
    }
}

struct FaultError: Error, CustomStringConvertible {
    var description: String
}
