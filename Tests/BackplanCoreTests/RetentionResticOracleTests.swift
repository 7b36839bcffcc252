import Foundation
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
        let restic = ProcessInfo.processInfo.environment["PATH", default: "/usr/bin:/bin"].split(separator: ":")
            .map { "\($0)/restic" }.first(where: FileManager.default.isExecutableFile)
        try #require(restic != nil, "restic is not installed: `make deps` installs it (Debian 12: restic 0.14.0)")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bp-restic-oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        try write("password", "backplan-test\n")
        try write("f", "data\n")
        try write("times", Self.ids.map { Self.resticTime($0) + "\n" }.joined())
        try write("policies", Self.policies.enumerated().map { "\($0.offset) \(Self.resticFlags($0.element))\n" }.joined())

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
            let groups = try JSONDecoder().decode([Group].self, from: json)
            try #require(groups.count == 1, "one host, one path: one group")
            let decision = RetentionPlanner.plan(ids: Self.ids.shuffled(), policy: policy)
            let keep = try (groups[0].keep ?? []).map { try Self.id(fromResticTime: $0.time) }
            let remove = try (groups[0].remove ?? []).map { try Self.id(fromResticTime: $0.time) }
            let context = "\(Self.resticFlags(policy)) (\(version))"
            #expect(keep == decision.keptIDs, "kept: \(context)")
            #expect(remove.sorted() == decision.removed, "removed: \(context)")
            var resticRules: [String: Set<RetentionRule>] = [:]
            for reason in groups[0].reasons ?? [] {
                #expect(reason.matches.allSatisfy { Self.rule($0) != nil }, "unknown reason in \(reason.matches)")
                resticRules[try Self.id(fromResticTime: reason.snapshot.time)] = Set(reason.matches.compactMap(Self.rule))
            }
            for kept in decision.kept {
                #expect(resticRules[kept.id] == Set(kept.rules), "reasons for \(kept.id): \(context)")
            }
        }
    }

    struct Group: Decodable {
        var keep: [Snapshot]?
        /// `null`, not `[]`, when nothing goes.
        var remove: [Snapshot]?
        var reasons: [Reason]?
    }

    struct Snapshot: Decodable { var time: String }

    struct Reason: Decodable {
        var snapshot: Snapshot
        var matches: [String]
    }

    /// restic 0.14's reasons: "last snapshot", "daily snapshot", …, "within 2d".
    static func rule(_ match: String) -> RetentionRule? {
        match.hasPrefix("within ") ? .within : RetentionRule(rawValue: String(match.prefix { $0 != " " }))
    }

    static func resticFlags(_ policy: RetentionPolicy) -> String {
        var flags: [String] = []
        for rule in RetentionRule.allCases where policy.count(of: rule) > 0 {
            if rule == .within {
                precondition(policy.keepWithinSeconds % 3_600 == 0, "restic 0.14 durations are whole hours at most")
                flags.append("--keep-within \(policy.keepWithinSeconds / 3_600)h")
            } else {
                flags.append("--keep-\(rule.rawValue) \(policy.count(of: rule))")
            }
        }
        return flags.joined(separator: " ")
    }

    /// `20251231T220000Z` → `2025-12-31 22:00:00` (read in TZ=UTC).
    static func resticTime(_ id: String) -> String {
        let t = SnapshotTime(id: id)!
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(t.year)-\(pad(t.month))-\(pad(t.day)) \(pad(t.hour)):\(pad(t.minute)):\(pad(t.second))"
    }

    /// `2025-12-31T22:00:00Z` (or `+00:00`) → `20251231T220000Z`.
    static func id(fromResticTime time: String) throws -> String {
        let zone = time.dropFirst(19)
        try #require(zone == "Z" || zone == "+00:00", "restic printed '\(time)', not a whole UTC second")
        let digits = time.prefix(19).filter(\.isNumber)
        let id = String(digits.prefix(8)) + "T" + String(digits.dropFirst(8)) + "Z"
        try #require(SnapshotTime(id: id) != nil, "restic printed '\(time)'")
        return id
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
