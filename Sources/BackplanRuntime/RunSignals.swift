import Foundation

/// INT, TERM and HUP during a run: blocked in the calling thread (call it first, on the main thread, before
/// other threads start, so every thread inherits the mask) and taken by a thread waiting in `sigwait`,
/// which cancels the run; the run then resumes the app, records itself and exits 1. Children are
/// spawned with an empty mask (RunProcess), so the block never reaches them.
public enum RunSignals {
    /// Starts the waiting thread; `cancellation` gets `received SIGx; ending the run`.
    public static func install(_ cancellation: RunCancellation, log: RunLog) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let blocked = set
        let thread = Thread {
            var waitSet = blocked
            while true {
                var received: Int32 = 0
                guard sigwait(&waitSet, &received) == 0 else { continue }
                let name = received == SIGINT ? "INT" : received == SIGTERM ? "TERM" : "HUP"
                if cancellation.isCancelled {
                    log.log("signal ignored while the run cleans up", step: .signal)
                    continue
                }
                cancellation.cancel("received SIG\(name); ending the run")
                log.error("received SIG\(name); ending the run", step: .signal)
            }
        }
        thread.start()
    }
}
