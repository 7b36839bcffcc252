import Foundation
import Testing

/// `Backplan.run`'s time limit ends the child even when SIGTERM cannot: a child of the test runner
/// inherits its blocked signals (Foundation's `Process`), and a `backplan detect` blocked on a fifo
/// once kept the whole suite waiting past the limit.
@Suite struct BackplanTimeLimitTests {
    @Test func aChildThatIgnoresSIGTERMIsKilledAtTheLimit() throws {
        let start = Date()
        var result: RunResult?
        withKnownIssue("the time limit is recorded as an issue") {
            result = try Backplan.run(["--version"], timeout: 2, wrapper: ["/bin/bash", "-c", "trap '' TERM; exec sleep 60", "--"])
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed < 20, "\(elapsed) s")
        #expect(result?.crashed == true, "ended by a signal")
    }
}
