/// An error of the runtime (a run step, or a command on snapshots: list, verify, prune, restore,
/// recover), with the one message the log, runs.jsonl and the CLI show: it says where and what to do.
public struct RunError: Error, Equatable, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
