import ArgumentParser
import BackplanCore

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of the plan language (for editors and check-jsonschema)."
    )

    func run() {
        print(PlanSchema.document.canonical(), terminator: "")
    }
}
