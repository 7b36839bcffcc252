import ArgumentParser
import BackplanCore

@main
struct Backplan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backplan",
        abstract: "Compile declarative backup plans for self-hosted Open WebUI into reviewed, committed files.",
        discussion: """
            Write a YAML plan in plans/<name>.yaml, check it against the deployment on the host, and \
            commit it. Exit status: 0 success, 1 failure (invalid plan, failed check or command), 3 partial run, 64 usage error.
            """,
        version: BackplanVersion.current,
        subcommands: [
            DetectCommand.self, InitCommand.self, CheckCommand.self, CompileCommand.self, ExplainCommand.self,
            RunCommand.self, SnapshotsCommand.self, VerifyCommand.self, PruneCommand.self, RestoreCommand.self,
            StatusCommand.self, RecoverCommand.self, SchemaCommand.self,
        ]
    )
}

