@testable import BackplanCore
import Foundation
import TestSupport
import Testing

/// A source file the executor cannot read. Root reads anything, so the executor runs as `nobody`
/// (setpriv) over a data dir, state dir and target owned by nobody, with one upload at mode 000.
@Suite struct FaultUnreadableTests {
    @Test(arguments: Executor.allCases)
    func anUnreadableUploadFailsTheRunNamingIt(executor: Executor) throws {
        let h = try RunHarness()
        defer { h.remove() }
        try h.copyFixture()
        let secret = h.dataDir + "/uploads/secret.txt"
        try "private\n".write(toFile: secret, atomically: true, encoding: .utf8)
        try RunHarness.bash("chmod 0755 \(Shell.quote(h.root)) && chown -R 65534:65534 \(Shell.quote(h.root)) && chmod 000 \(Shell.quote(secret))")
        // The precondition: nobody really cannot read it.
        #expect(RunHarness.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", "/bin/cat", secret]).status != 0)
        let plan = h.plan()

        let result = try executor.run(h, plan, user: 65534)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("secret.txt"), "the error names the unreadable file: \(result.stderr)")
        #expect(result.stderr.lowercased().contains("permission denied"), "\(result.stderr)")
        #expect(h.snapshots(plan).isEmpty, "nothing is published")
        #expect(h.leftovers(plan).isEmpty)
        let record = try #require(h.runsLog().last)
        #expect(record["status"] as? String == "failed")
        #expect((record["error"] as? String ?? "").contains("/uploads"), "runs.jsonl names what failed: \(record)")
    }
}
