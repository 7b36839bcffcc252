import Foundation

/// Two pieces of work at the same time, one of them on a second thread (the machines have at least two
/// cores; on one they simply take turns).
enum Concurrently {
    /// Runs `a` and `b` concurrently and returns both results once both are done.
    static func both<A, B>(_ a: () throws -> A, _ b: () throws -> B) -> (Result<A, any Error>, Result<B, any Error>) {
        let results = Results<A, B>()
        withoutActuallyEscaping(a) { a in
            withoutActuallyEscaping(b) { b in
                let work = Work(a: a, b: b)
                DispatchQueue.concurrentPerform(iterations: 2) { index in
                    if index == 0 { results.a = Result { try work.a() } } else { results.b = Result { try work.b() } }
                }
            }
        }
        return (results.a ?? .failure(RunError("not run")), results.b ?? .failure(RunError("not run")))
    }

    /// Each slot is written by one iteration only, and read after `concurrentPerform` has returned.
    private final class Results<A, B>: @unchecked Sendable {
        var a: Result<A, any Error>?
        var b: Result<B, any Error>?
    }

    private struct Work<A, B>: @unchecked Sendable {
        var a: () throws -> A
        var b: () throws -> B
    }
}
