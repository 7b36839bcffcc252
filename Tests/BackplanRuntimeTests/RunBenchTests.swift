@testable import BackplanCore
import BackplanRuntime
import Foundation
import TestSupport
import Testing

/// Figures, not a check: the bash script and `backplan run` (the binary) on the fixture plus 3000 small
/// uploads and one 64 MiB upload (and the runtime's peak RSS), first and second run. `BACKPLAN_RUN_BENCH=1 swift test --filter RunBench`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["BACKPLAN_RUN_BENCH"] != nil && RunHarness.binary != nil))
struct RunBenchTests {
    @Test func bashVersusRuntime() throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        try RunHarness.bash("cd \(Shell.quote(h.dataDir + "/uploads")) && for i in $(seq 3000); do head -c 4096 /dev/urandom > f$i.bin; done && head -c 67108864 /dev/urandom > big.bin")
        for executor in ["bash", "runtime"] {
            let target = h.root + "/" + executor
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            var plan = h.plan(targets: [RunHarness.localTarget("local", target)])
            plan.stateDir = h.root + "/state-" + executor
            var times: [Double] = []
            for _ in 0..<2 {
                let start = Date()
                let result = executor == "bash" ? try h.runScript(try h.writeScript(plan))
                    : RunHarness.run("/usr/bin/time", ["-f", "maxrss %M KB", RunHarness.binary ?? "", "run", try h.writePlan(plan), "daily"])
                #expect(result.status == 0, "\(result.stderr)")
                times.append(Date().timeIntervalSince(start))
                if let rss = result.stderr.split(separator: "\n").last(where: { $0.hasPrefix("maxrss") }) { print("RUNBENCH runtime \(rss)") }
                sleep(1)
            }
            print("RUNBENCH \(executor): first \(String(format: "%.2f", times[0])) s, second \(String(format: "%.2f", times[1])) s")
        }
    }
}
