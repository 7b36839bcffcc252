import ArgumentParser
import BackplanCore
import Foundation

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Say in words what a plan does: per job its sources, targets, quiesce, retention and next runs (in the server's time zone when the saved deployment records it)."
    )

    @Argument(help: "A plan file, or the name of a plan under plans/.")
    var plan: String

    @Option(help: "How many next run times to show per job.")
    var next = 3

    func validate() throws {
        guard (1...100).contains(next) else { throw ValidationError("--next takes 1 to 100") }
    }

    func run() throws {
        let (paths, problems) = PlanFiles.resolve([plan])
        var pipeline = PlanPipeline()
        pipeline.diagnostics = problems
        guard let path = paths.first, let (compiled, _, deployment) = pipeline.compile(path) else {
            pipeline.report(format: .text, verb: "explain", count: 1, failed: true)
            throw ExitCode.failure
        }
        print(PlanExplanation.render(compiled, next: next, now: Date(), host: HostClock(deployment), localZone: .current), terminator: "")
    }
}
