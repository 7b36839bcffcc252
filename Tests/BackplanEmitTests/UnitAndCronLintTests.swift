import BackplanCore
import BackplanEmit
import Foundation
import Testing

/// The real linters on every generated unit and cron file: `systemd-analyze verify` (any output on
/// stderr fails: it exits 0 with warnings) and Debian's `crontab -n`.
@Suite struct UnitAndCronLintTests {
    static var plans: [CompiledPlan] {
        get throws { try FixturePlans.names.map(FixturePlans.compile) }
    }

    @Test(arguments: FixturePlans.names)
    func systemdAnalyzeVerifiesEveryUnit(_ name: String) throws {
        let plan = try FixturePlans.compile(name)
        let dir = try TempDir()
        // ExecStart must name an existing executable; the units are verified with the install folder
        // pointed at a temp copy of the scripts (the only change made to the unit text).
        let files = PlanEmitter.files(for: plan)
        for file in files where file.path.hasSuffix(".sh") {
            try dir.write("lib/\(file.path)", file.contents, executable: true)
        }
        var units: [String] = []
        for file in files where file.path.hasPrefix("systemd/") {
            let text = file.contents.replacingOccurrences(of: plan.install.scriptDir, with: dir.path + "/lib")
            let path = "units/" + (file.path as NSString).lastPathComponent
            try dir.write(path, text)
            units.append(dir.path + "/" + path)
        }
        #expect(units.count == plan.jobs.count * 2)
        let r = try runTool("systemd-analyze", ["verify"] + units.sorted(), environment: ["SYSTEMD_LOG_LEVEL": "notice"])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(name): \(r.stderr)")
    }

    @Test(arguments: FixturePlans.names)
    func crontabAcceptsTheCronFile(_ name: String) throws {
        let plan = try FixturePlans.compile(name)
        let file = try #require(PlanEmitter.files(for: plan).first { $0.path.hasPrefix("cron.d/") })
        // crontab -n checks a user crontab: the same lines without the user column of /etc/cron.d.
        let userCrontab = file.contents.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let fields = line.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: false)
            guard !line.hasPrefix("#"), !line.contains("="), fields.count == 7, fields[5] == "root" else { return String(line) }
            return (fields[0..<5] + [fields[6]]).joined(separator: " ")
        }.joined(separator: "\n")
        let dir = try TempDir()
        try dir.write("crontab", userCrontab)
        let r = try runTool("crontab", ["-n", dir.path + "/crontab"])
        #expect(r.status == 0, "\(name): \(r.stdout) \(r.stderr)")
        let jobLines = file.contents.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains(" root ") }
        #expect(jobLines.count == plan.jobs.count)
    }

    @Test func brokenUnitsAreCaught() throws {
        // The linter itself must be able to fail here: an unknown key makes systemd-analyze complain.
        let dir = try TempDir()
        try dir.write("bin/x.sh", "#!/bin/sh\n", executable: true)
        try dir.write("units/x.service", "[Service]\nType=oneshot\nExecStart=\(dir.path)/bin/x.sh\nNotAKey=1\n")
        let r = try runTool("systemd-analyze", ["verify", dir.path + "/units/x.service"])
        #expect(!r.stderr.isEmpty)
    }
}
