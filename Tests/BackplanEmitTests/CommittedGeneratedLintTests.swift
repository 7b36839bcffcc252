import Foundation
import Testing

/// The committed generated/ tree (kept current by `backplan check` and CompileCommandTests) passes the
/// same linters as the fixtures: bash -n and shellcheck on every script, systemd-analyze verify on every
/// unit (with the install folder pointed at a temp copy of the scripts, as in UnitAndCronLintTests).
@Suite struct CommittedGeneratedLintTests {
    static let root = FixturePlans.repository + "/generated"
    static var plans: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test func thereAreGeneratedPlans() { #expect(Self.plans.count >= 4) }

    @Test(arguments: plans)
    func scriptsPassBashAndShellcheck(_ plan: String) throws {
        let scripts = try FileManager.default.contentsOfDirectory(atPath: "\(Self.root)/\(plan)").filter { $0.hasSuffix(".sh") }.sorted()
        #expect(scripts.contains("restore.sh") && scripts.count >= 2)
        for script in scripts {
            let path = "\(Self.root)/\(plan)/\(script)"
            #expect(FileManager.default.isExecutableFile(atPath: path), "\(path) is not executable")
            let syntax = try runTool("bash", ["-n", path])
            #expect(syntax.status == 0, "\(path): \(syntax.stderr)")
            // -x: shellcheck follows the script's `source` of lib/backplan.sh, so the library is checked in use.
            let lint = try runTool("shellcheck", ["-x", "-s", "bash", "-f", "gcc", path])
            #expect(lint.status == 0 && lint.stdout.isEmpty, "\(path): \(lint.stdout)")
        }
        // The library on its own as well (it is never run, only sourced).
        let library = "\(Self.root)/\(plan)/lib/backplan.sh"
        #expect(try runTool("bash", ["-n", library]).status == 0)
        let lint = try runTool("shellcheck", ["-s", "bash", "-f", "gcc", library])
        #expect(lint.status == 0 && lint.stdout.isEmpty, "\(library): \(lint.stdout)")
    }

    @Test(arguments: plans)
    func unitsPassSystemdAnalyzeVerify(_ plan: String) throws {
        let folder = "\(Self.root)/\(plan)"
        let dir = try TempDir()
        for script in try FileManager.default.contentsOfDirectory(atPath: folder) where script.hasSuffix(".sh") {
            try dir.write("lib/\(script)", try String(contentsOfFile: "\(folder)/\(script)", encoding: .utf8), executable: true)
        }
        var units: [String] = []
        for unit in try FileManager.default.contentsOfDirectory(atPath: folder + "/systemd").sorted() {
            let text = try String(contentsOfFile: "\(folder)/systemd/\(unit)", encoding: .utf8)
                .replacingOccurrences(of: "/usr/local/lib/backplan/\(plan)", with: dir.path + "/lib")
            try dir.write("units/\(unit)", text)
            units.append("\(dir.path)/units/\(unit)")
        }
        let r = try runTool("systemd-analyze", ["verify"] + units)
        #expect(r.status == 0 && r.stderr.isEmpty, "\(plan): \(r.stderr)")
    }
}
