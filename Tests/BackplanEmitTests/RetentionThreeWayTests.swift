import BackplanCore
import BackplanEmit
import Foundation
import TestSupport
import Testing

/// `RetentionPlanner`, the job scripts' `bp_retention_remove_ids` and the real restic 0.14
/// (`forget --dry-run --json`, TZ=UTC) keep exactly the same snapshots on thousands of random, seeded
/// cases; restic also gives the planner's reasons. Set BACKPLAN_RETENTION_SEED to replay another seed.
///
/// restic is made cheap (docs/development.md): a template repository (`restic init`, one real
/// `restic backup`, its key re-made with cheap scrypt by scripts/restic-forge.py) is copied once per
/// policy; the forger writes each case's snapshots (forged times, the case's own tag) as encrypted
/// snapshot files; one `forget --group-by tags` per policy then decides all of its cases at once.
/// bash runs every case in two processes (one per core), one `bp_retention_remove_ids` call each.
@Suite("Retention: planner, bash and restic agree")
struct RetentionThreeWayTests {
    static let policyCount = 200
    static let casesPerPolicy = 20

    struct Case {
        var policy: Int
        var ids: [String]
    }

    @Test func allThreeKeepTheSameSnapshots() throws {
        let seed = ProcessInfo.processInfo.environment["BACKPLAN_RETENTION_SEED"].flatMap { UInt64($0) } ?? 20_261_127
        var rng = SplitMix(seed: seed)
        let policies = (0..<Self.policyCount).map { _ in ThreeWaySamples.policy(&rng) }
        let cases = policies.indices.flatMap { policy in
            (0..<Self.casesPerPolicy).map { _ in Case(policy: policy, ids: ThreeWaySamples.ids(for: policies[policy], &rng)) }
        }
        try #require(ResticOracle.executable != nil, "restic is not installed: `make deps` installs it (Debian 12: restic 0.14.0)")
        let python = FixturePlans.repository + "/.venv/bin/python"
        try #require(FileManager.default.isExecutableFile(atPath: python),
                     "the restic forger needs .venv with cryptography: run 'make deps'")

        // tmpfs when there is one: the forger writes one file per snapshot (~62 000), which costs
        // ~0.6 ms each on a plain ext4 disk and ~15 µs on tmpfs.
        let scratch = FileManager.default.fileExists(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm")
            : FileManager.default.temporaryDirectory
        let folder = scratch.appendingPathComponent("bp-retention-3way-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let dir = folder.path
        func write(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH", default: "/usr/bin:/bin"], "HOME": dir,
                           "TZ": "UTC", "LC_ALL": "C", "RESTIC_PASSWORD_FILE": "\(dir)/password"]
        func runScript(_ name: String, _ script: String) throws -> CleanProcess.Result {
            try write(name, script)
            let forge = FixturePlans.repository + "/scripts/restic-forge.py"
            return CleanProcess.run("/bin/bash", ["\(dir)/\(name)", dir, python, forge], scratch: dir, environment: environment)
        }

        // A template repository with one real snapshot and a cheap key, copied once per policy.
        try write("password", "backplan-test\n")
        try write("f", "data\n")
        let setup = try runScript("setup.sh", """
            set -euo pipefail
            cd "$1"
            restic version
            restic -r template init -q --repository-version 1
            restic -r template backup -q --no-cache --host h --tag template f
            "$2" "$3" --cheap-key password template
            """)
        try #require(setup.status == 0, "restic failed: \(setup.stdout)\(setup.stderr)")
        let version = setup.stdout.split(separator: "\n").first.map(String.init) ?? "?"
        for policy in policies.indices {
            try FileManager.default.copyItem(at: folder.appendingPathComponent("template"), to: folder.appendingPathComponent("p\(policy)"))
        }

        // Each case's snapshots, tagged with the case; one forget per policy.
        try write("policies", policies.enumerated().map { "p\($0.offset) \(ResticOracle.flags($0.element).joined(separator: " "))\n" }.joined())
        try write("spec", cases.enumerated().flatMap { number, sample in
            sample.ids.map { "p\(sample.policy) \(ResticOracle.snapshotTime($0)) c\(number)\n" }
        }.joined())
        let restic = try runScript("restic.sh", """
            set -euo pipefail
            cd "$1"
            "$2" "$3" password <spec
            restic -r p0 check -q --no-cache
            xargs -P 2 -L 1 sh -c 'r=$1; shift; restic -r "$r" forget -q --no-cache --no-lock --dry-run --json --group-by tags "$@" >"$r.json"' sh <policies
            """)
        try #require(restic.status == 0, "restic failed: \(restic.stdout)\(restic.stderr)")

        // bash: every case, in two processes (one per core).
        var indexes = ["", ""]
        for (number, sample) in cases.enumerated() {
            try write("case\(number)", sample.ids.map { $0 + "\n" }.joined())
            indexes[number % 2] += "case\(number) " + policies[sample.policy].shellArguments.joined(separator: " ") + "\n"
        }
        try write("index0", indexes[0])
        try write("index1", indexes[1])
        let bash = try runScript("bash.sh", BashRetentionHarness.script("""
            drive() {
              while read -r name last hourly daily weekly monthly yearly within; do
                bp_retention_remove_ids "$last" "$hourly" "$daily" "$weekly" "$monthly" "$yearly" "$within" <"$name"
                echo "== $name"
              done <"$1"
            }
            cd "$1"
            drive index0 >out0 & first=$!
            drive index1 >out1 & second=$!
            wait "$first"
            wait "$second"
            """))
        try #require(bash.status == 0, "bash failed: \(bash.stderr)")

        var bashRemoved: [String: [String]] = [:]
        for file in ["out0", "out1"] {
            var current: [String] = []
            for line in try String(contentsOfFile: "\(dir)/\(file)", encoding: .utf8).split(separator: "\n") {
                if line.hasPrefix("== ") {
                    bashRemoved[String(line.dropFirst(3))] = current
                    current = []
                } else {
                    current.append(String(line))
                }
            }
        }
        var resticGroups: [String: ResticOracle.Group] = [:]
        for policy in policies.indices {
            let json = try Data(contentsOf: folder.appendingPathComponent("p\(policy).json"))
            for group in try JSONDecoder().decode([ResticOracle.Group].self, from: json) {
                resticGroups[group.tags?.joined(separator: ",") ?? ""] = group
            }
        }

        var failures = 0
        var removedTotal = 0
        var keptTotal = 0
        for (number, sample) in cases.enumerated() {
            let policy = policies[sample.policy]
            let decision = RetentionPlanner.plan(ids: sample.ids, policy: policy)
            let plannerKept = Set(decision.keptIDs)
            let bashKept = bashRemoved["case\(number)"].map { Set(sample.ids).subtracting($0) }
            let group = resticGroups["c\(number)"]
            let resticKept = Set((group?.keep ?? []).compactMap { ResticOracle.id(fromResticTime: $0.time) })
            let resticRemoved = Set((group?.remove ?? []).compactMap { ResticOracle.id(fromResticTime: $0.time) })
            var resticRules: [String: Set<RetentionRule>] = [:]
            for reason in group?.reasons ?? [] {
                resticRules[ResticOracle.id(fromResticTime: reason.snapshot.time) ?? reason.snapshot.time] =
                    Set(reason.matches.map { ResticOracle.rule($0) ?? .within })
            }
            let plannerRules = Dictionary(uniqueKeysWithValues: decision.kept.map { ($0.id, Set($0.rules)) })
            removedTotal += decision.removed.count
            keptTotal += decision.kept.count
            let agree = bashKept == plannerKept && resticKept == plannerKept
                && resticRemoved == Set(decision.removed) && resticRules == plannerRules
                && (group?.reasons ?? []).allSatisfy { $0.matches.allSatisfy { ResticOracle.rule($0) != nil } }
            if !agree {
                failures += 1
                if failures == 1 {
                    func sorted(_ ids: Set<String>?) -> String { ids.map { $0.sorted(by: >).joined(separator: " ") } ?? "(no output)" }
                    Issue.record("""
                        seed \(seed), case \(number) of \(cases.count) disagrees (\(version)); replay with BACKPLAN_RETENTION_SEED=\(seed)
                        policy: \(ResticOracle.flags(policy).joined(separator: " ")) (bash: \(policy.shellArguments.joined(separator: " ")))
                        ids, newest first: \(sorted(Set(sample.ids)))
                        planner keeps: \(sorted(plannerKept))
                        bash keeps:    \(sorted(bashKept))
                        restic keeps:  \(sorted(resticKept))
                        restic removes: \(sorted(resticRemoved))
                        planner rules: \(plannerRules.sorted { $0.key > $1.key }.map { "\($0.key) \($0.value.map(\.rawValue).sorted())" })
                        restic reasons: \((group?.reasons ?? []).map { "\($0.snapshot.time) \($0.matches)" })
                        """)
                }
            }
        }
        #expect(failures == 0, "\(failures) of \(cases.count) cases disagree (seed \(seed))")
        #expect(resticGroups.count == cases.count(where: { !$0.ids.isEmpty }) + 1,
                "one group per non-empty case, plus the template snapshots (tag template)")
        #expect(removedTotal > cases.count && keptTotal > cases.count, "the samples keep and remove plenty")
    }
}

/// Random policies and snapshot sets for the three-way test. Times are all before 2026-01-10: restic
/// 0.14 measures `keep_within` from the newest snapshot that is not in the future (by the clock), the
/// planner from the newest snapshot (docs/plan-language.md, Retention).
enum ThreeWaySamples {
    /// Every rule on or off at random, counts mostly small; `keep_within` in whole hours (restic 0.14's
    /// durations have no minutes). Never empty: restic prints no JSON for an empty policy.
    static func policy(_ rng: inout SplitMix) -> RetentionPolicy {
        func count() -> Int {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<6: 0
            case 6..<9: Int.random(in: 1...6, using: &rng)
            default: Int.random(in: 7...40, using: &rng)
            }
        }
        var policy = RetentionPolicy(keepLast: count(), keepHourly: count(), keepDaily: count(), keepWeekly: count(),
                                     keepMonthly: count(), keepYearly: count())
        switch Int.random(in: 0..<10, using: &rng) {
        case 0, 1: policy.keepWithinSeconds = 3_600 * Int.random(in: 1...48, using: &rng)
        case 2, 3: policy.keepWithinSeconds = 86_400 * Int.random(in: 1...400, using: &rng)
        case 4: policy.keepWithinSeconds = 3_600 * Int.random(in: 1...100_000, using: &rng)
        default: break
        }
        if policy.isEmpty { policy.keepLast = Int.random(in: 1...5, using: &rng) }
        return policy
    }

    /// Bucket edges to cluster around: year ends (2020-W53; 2025-12-29 starts 2026-W01), leap days and
    /// century years (1900 is not leap, 1600 and 2000 are), month ends, mid-year.
    static let anchors = [(12, 31), (1, 1), (1, 4), (12, 28), (2, 28), (2, 29), (3, 1), (4, 30), (6, 15), (8, 31)]

    /// 0–40 distinct snapshots in 1–6 clusters around an anchor; a cluster's snapshots fall within one
    /// minute, hour or day of each other (or on the same second's neighbours), so hours, days, weeks
    /// and months collide. With `keep_within`, often one snapshot exactly that long before the newest
    /// (just outside) and one a second later (just inside).
    static func ids(for policy: RetentionPolicy, _ rng: inout SplitMix) -> [String] {
        let year = Int.random(in: 0..<12, using: &rng) == 0 ? [1600, 1900, 2000, 1970].randomElement(using: &rng)!
            : Int.random(in: 1990...2025, using: &rng)
        let (month, day) = anchors.randomElement(using: &rng)!
        let anchor = (SnapshotTime(year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
            ?? SnapshotTime(year: year, month: month, day: 28, hour: 0, minute: 0, second: 0)!).secondsSinceEpoch
        let spread = [60, 3_600, 86_400, 7 * 86_400, 40 * 86_400, 400 * 86_400, 3_000 * 86_400].randomElement(using: &rng)!
        let jitter = [0, 59, 3_599, 86_399].randomElement(using: &rng)!
        let clusters = (0..<Int.random(in: 1...6, using: &rng)).map { _ in
            anchor + Int.random(in: -spread...min(spread, 5 * 86_400), using: &rng)
        }
        var seconds = Set<Int>()
        for _ in 0..<Int.random(in: 0...40, using: &rng) {
            seconds.insert(clusters.randomElement(using: &rng)! + Int.random(in: 0...jitter, using: &rng))
        }
        if policy.count(of: .within) > 0, let newest = seconds.max(), Bool.random(using: &rng) {
            seconds.insert(newest - policy.count(of: .within))
            if Bool.random(using: &rng) { seconds.insert(newest - policy.count(of: .within) + 1) }
        }
        return seconds.sorted().compactMap { SnapshotTime(secondsSinceEpoch: $0)?.id }.shuffled(using: &rng)
    }
}
