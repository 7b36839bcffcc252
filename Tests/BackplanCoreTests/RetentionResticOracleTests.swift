import Foundation
import TestSupport
import Testing
@testable import BackplanCore

/// The real restic as the oracle: one local repository holding a snapshot for each ID (times forged
/// with `backup --time`), then `forget --dry-run --json` for each policy; restic must keep and remove
/// exactly what `RetentionPlanner` does, for the same reasons. Needs restic 0.14 (Debian 12), which
/// `make deps` installs; without it the test fails.
@Suite("Retention: restic oracle")
struct RetentionResticOracleTests {
    /// Year ends (2020-W53; 2025-12-29 starts 2026-W01), leap days, one hour's and one day's bursts, and a
    /// snapshot exactly 48 hours before the newest (just outside `keep_within: 48h`).
    static let ids = [
        "20251231T220000Z", "20251231T213000Z", "20251231T210000Z", "20251231T200500Z", "20251231T195959Z",
        "20251231T190000Z", "20251229T220000Z", "20251230T120000Z", "20251229T235959Z", "20251228T000000Z",
        "20251222T120000Z", "20251221T120000Z", "20251215T000000Z", "20251201T000000Z", "20251130T235959Z",
        "20251015T000000Z", "20250915T000000Z", "20250601T000000Z", "20250101T000000Z", "20241231T235959Z",
        "20240301T000000Z", "20240229T120000Z", "20240228T120000Z", "20210104T000000Z", "20210103T235959Z",
        "20201231T120000Z", "20201227T000000Z", "20200101T000000Z", "20190615T120000Z",
    ]

    static let policies: [RetentionPolicy] = [
        RetentionPolicy(keepLast: 5),
        RetentionPolicy(keepHourly: 4),
        RetentionPolicy(keepDaily: 7),
        RetentionPolicy(keepWeekly: 6),
        RetentionPolicy(keepMonthly: 6),
        RetentionPolicy(keepYearly: 4),
        RetentionPolicy(keepWithinSeconds: 48 * 3_600),
        RetentionPolicy(keepDaily: 3, keepWeekly: 3, keepMonthly: 3, keepYearly: 2),
        RetentionPolicy(keepLast: 2, keepHourly: 3, keepWithinSeconds: 720 * 3_600),
        RetentionPolicy(keepLast: 1, keepHourly: 2, keepDaily: 2, keepWeekly: 2, keepMonthly: 2, keepYearly: 2,
                        keepWithinSeconds: 25 * 3_600),
        RetentionPolicy(keepWeekly: 10, keepWithinSeconds: 24 * 3_600),
        RetentionPolicy(keepMonthly: 30, keepYearly: 30),
    ]

    @Test func resticKeepsWhatThePlannerKeeps() throws {
        try #require(ResticOracle.executable != nil, "restic is not installed: `make deps` installs it (Debian 12: restic 0.14.0)")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bp-restic-oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        try write("password", "backplan-test\n")
        try write("f", "data\n")
        try write("times", Self.ids.map { ResticOracle.backupTime($0) + "\n" }.joined())
        try write("policies", Self.policies.enumerated().map { "\($0.offset) \(Self.flags($0.element))\n" }.joined())

        let result = try Self.bash("""
            set -euo pipefail
            restic version
            restic init -q
            xargs -P 4 -I{} restic backup -q --time {} --host h --tag t f <times
            xargs -P 4 -L 1 sh -c 'n=$1; shift; restic forget --no-lock --dry-run --json "$@" >"forget$n.json"' sh <policies
            """, in: folder)
        try #require(result.status == 0, "restic failed: \(result.output)")
        let version = result.output.split(separator: "\n").first.map(String.init) ?? "?"

        for (number, policy) in Self.policies.enumerated() {
            let json = try Data(contentsOf: folder.appendingPathComponent("forget\(number).json"))
            let groups = try JSONDecoder().decode([ResticOracle.Group].self, from: json)
            try #require(groups.count == 1, "one host, one path: one group")
            let decision = RetentionPlanner.plan(ids: Self.ids.shuffled(), policy: policy)
            let keep = try (groups[0].keep ?? []).map { try Self.id(fromResticTime: $0.time) }
            let remove = try (groups[0].remove ?? []).map { try Self.id(fromResticTime: $0.time) }
            let context = "\(Self.flags(policy)) (\(version))"
            #expect(keep == decision.keptIDs, "kept: \(context)")
            #expect(remove.sorted() == decision.removed, "removed: \(context)")
            var resticRules: [String: Set<RetentionRule>] = [:]
            for reason in groups[0].reasons ?? [] {
                #expect(reason.matches.allSatisfy { ResticOracle.rule($0) != nil }, "unknown reason in \(reason.matches)")
                resticRules[try Self.id(fromResticTime: reason.snapshot.time)] = Set(reason.matches.compactMap(ResticOracle.rule))
            }
            for kept in decision.kept {
                #expect(resticRules[kept.id] == Set(kept.rules), "reasons for \(kept.id): \(context)")
            }
        }
    }

    static func flags(_ policy: RetentionPolicy) -> String { ResticOracle.flags(policy).joined(separator: " ") }

    static func id(fromResticTime time: String) throws -> String {
        try #require(ResticOracle.id(fromResticTime: time), "restic printed '\(time)', not a whole UTC second")
    }

    /// Runs `script` with bash in `folder`, restic's environment set; standard output and error together.
    static func bash(_ script: String, in folder: URL) throws -> (status: Int32, output: String) {
        let log = folder.appendingPathComponent("log")
        try Data().write(to: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = folder
        process.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH", default: "/usr/bin:/bin"], "HOME": folder.path, "TZ": "UTC",
            "RESTIC_REPOSITORY": folder.appendingPathComponent("repo").path,
            "RESTIC_PASSWORD_FILE": folder.appendingPathComponent("password").path,
            "RESTIC_CACHE_DIR": folder.appendingPathComponent("cache").path,
        ]
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, try String(contentsOf: log, encoding: .utf8))
    }
}
