import BackplanCore
import BackplanEmit
import Foundation
import TestSupport
import Testing

/// Runs `BashRetention.function` in a real bash, in a temp folder of its own.
struct BashRetentionHarness {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("bp-retention-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// A script that defines the function, then runs `body`.
    static func script(_ body: String) -> String {
        "#!/bin/bash\nset -euo pipefail\n\n" + BashRetention.function + "\n" + body + "\n"
    }

    /// `bp_retention_remove_ids ARGUMENTS <<< input`.
    func removeIDs(_ arguments: [String], input: String) throws -> (status: Int32, stdout: String, stderr: String) {
        try run(Self.script("bp_retention_remove_ids \"$@\""), arguments: arguments, input: input)
    }

    /// Runs `script` with bash; standard streams go through files, so no pipe can fill up.
    func run(_ script: String, arguments: [String] = [], input: String = "") throws -> (status: Int32, stdout: String, stderr: String) {
        let name = UUID().uuidString
        let paths = ["sh", "in", "out", "err"].map { folder.appendingPathComponent("\(name).\($0)") }
        try Data(script.utf8).write(to: paths[0])
        try Data(input.utf8).write(to: paths[1])
        for path in paths[2...] { try Data().write(to: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [paths[0].path] + arguments
        process.environment = ["PATH": "/usr/bin:/bin", "LC_ALL": "C"]
        process.standardInput = try FileHandle(forReadingFrom: paths[1])
        process.standardOutput = try FileHandle(forWritingTo: paths[2])
        process.standardError = try FileHandle(forWritingTo: paths[3])
        try process.run()
        process.waitUntilExit()
        let out = try String(contentsOf: paths[2], encoding: .utf8)
        let err = try String(contentsOf: paths[3], encoding: .utf8)
        for path in paths { try? FileManager.default.removeItem(at: path) }
        return (process.terminationStatus, out, err)
    }
}


/// Random snapshot lists and policies that hit the edges: year ends (ISO week 53), leap days, bursts
/// within one second/hour/day, duplicates, junk lines, and `keep_within` exactly at a snapshot.
enum RetentionSamples {
    static let junk = ["", "junk", " 20261127T031500Z", "20261127T031500Z ", "20261127t031500z", "20230229T120000Z",
                       "20261131T000000Z", "20261127T240000Z", "20261127T031560Z", ".20261127T031500Z.partial",
                       "2026-11-27T03:15:00Z", "20261127T031500Z\r", "#"]

    static func ids(_ rng: inout SplitMix) -> [String] {
        let year = Int.random(in: 1999...2031, using: &rng)
        let anchor = [(12, 20), (2, 25), (6, 1), (12, 28)].randomElement(using: &rng)!
        let start = SnapshotTime(year: year, month: anchor.0, day: anchor.1, hour: 0, minute: 0, second: 0)!.secondsSinceEpoch
        let span = [3, 600, 7_200, 86_400, 10 * 86_400, 60 * 86_400, 400 * 86_400, 4_000 * 86_400].randomElement(using: &rng)!
        var ids = (0..<Int.random(in: 0...60, using: &rng)).map { _ in
            SnapshotTime(secondsSinceEpoch: start + Int.random(in: 0...span, using: &rng))!.id
        }
        if !ids.isEmpty, Int.random(in: 0..<4, using: &rng) == 0 {
            ids += (0..<Int.random(in: 1...5, using: &rng)).map { _ in ids.randomElement(using: &rng)! }
        }
        if Int.random(in: 0..<4, using: &rng) == 0 {
            ids += (0..<Int.random(in: 1...4, using: &rng)).map { _ in junk.randomElement(using: &rng)! }
        }
        return ids.shuffled(using: &rng)
    }

    static func policy(for ids: [String], _ rng: inout SplitMix) -> RetentionPolicy {
        func count() -> Int { Int.random(in: 0..<3, using: &rng) == 0 ? Int.random(in: 1...8, using: &rng) : 0 }
        var policy = RetentionPolicy(keepLast: count(), keepHourly: count(), keepDaily: count(), keepWeekly: count(),
                                     keepMonthly: count(), keepYearly: count())
        let times = ids.compactMap { SnapshotTime(id: $0)?.secondsSinceEpoch }
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: policy.keepWithinSeconds = Int.random(in: 1...200 * 86_400, using: &rng)
        case 1 where !times.isEmpty:  // exactly the age of a snapshot: that one is just outside
            policy.keepWithinSeconds = max(1, times.max()! - times.randomElement(using: &rng)!)
        default: break
        }
        return policy
    }
}
