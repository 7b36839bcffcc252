@testable import BackplanCore
import Foundation
import TestSupport
import Testing

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
