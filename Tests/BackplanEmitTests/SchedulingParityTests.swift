import BackplanCore
import BackplanEmit
import Foundation
import Testing

/// The emitted OnCalendar= lines and cron line of every job fire at the same instants: the next 50 by
/// `systemd-analyze calendar` (union over a job's lines) against those of the cron line by croniter,
/// on a host in Europe/Berlin across both DST changes of 2026, and in UTC. Start times in 01:00-02:59 are
/// left out: there the two differ by design (note BP504), which `daylightSavingNightsDiffer` pins down.
@Suite struct SchedulingParityTests {
    static let corpus: [String] = [
        "\"*-*-* 03:15\"", "daily", "hourly", "weekly", "monthly", "\"Sun 04:00\"", "\"Mon..Fri 02:30\"",
        "\"*:0/15\"", "\"*-*-* 00/6:05\"", "\"Sat,Sun 23:59\"", "\"*-*-1,15 12:00\"", "\"*-1..3-* 03:00\"",
        "{cron: \"15 3 * * *\"}", "{cron: \"30 3 1 * mon\"}", "{cron: \"0 */4 * * 1-5\"}", "{cron: \"@weekly\"}",
        "{cron: \"0 0 1,15 jan-mar *\"}", "{cron: \"5 4 * * 0\"}", "{cron: \"45 0,3,4 * * *\"}", "\"*-*-* *:30\"",
    ]

    static var plan: String {
        var yaml = """
            version: 1
            name: parity
            deployment: {data_dir: /srv/data}
            sources: {db: {path: webui.db, kind: sqlite}}
            targets: {local: {type: local, path: /srv/b}}
            jobs:

            """
        for (i, schedule) in corpus.enumerated() {
            yaml += "  j\(i): {schedule: \(schedule), targets: [local], retention: {keep_last: 3}}\n"
        }
        return yaml
    }

    static let python = URL(fileURLWithPath: FixturePlans.repository).appendingPathComponent(".venv/bin/python").path

    static func croniter(_ cron: String, base: Int, count: Int, zone: String) throws -> [Int] {
        let script = """
            import sys, datetime, zoneinfo
            from croniter import croniter
            tz = zoneinfo.ZoneInfo(sys.argv[3])
            it = croniter(sys.argv[1], datetime.datetime.fromtimestamp(int(sys.argv[2]), tz=tz))
            print(" ".join(str(int(it.get_next(float))) for _ in range(int(sys.argv[4]))))
            """
        let r = try runTool(python, ["-c", script, cron, String(base), zone, String(count)])
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    static func systemd(_ onCalendar: [String], base: String, count: Int, zone: String) throws -> [Int] {
        var instants = Set<Int>()
        for line in onCalendar {
            let r = try runTool("systemd-analyze", ["calendar", "--iterations=\(count)", "--base-time=\(base)", line],
                                environment: ["TZ": zone, "LC_ALL": "C"])
            #expect(r.status == 0, "\(line): \(r.stderr)")
            // "(in UTC): Sun 2026-03-29 01:15:00 UTC" follows each instant: unambiguous across DST.
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
            // In UTC systemd prints no "(in UTC):" line: the instant lines are UTC already.
            let rows = r.stdout.split(separator: "\n")
            let utcRows = rows.contains { $0.contains("(in UTC):") } ? rows.filter { $0.contains("(in UTC):") }
                : rows.filter { $0.contains("Next elapse:") || $0.contains("Iter. #") }
            for row in utcRows {
                let fields = row.split(separator: " ").suffix(3).dropLast()
                if let date = formatter.date(from: fields.joined(separator: " ")) { instants.insert(Int(date.timeIntervalSince1970)) }
            }
        }
        return Array(instants.sorted().prefix(count))
    }

    @Test(arguments: [("Europe/Berlin", "2026-03-20 00:00:00"), ("Europe/Berlin", "2026-10-20 00:00:00"), ("UTC", "2026-01-01 00:00:00")])
    func cronAndTimerFireTogether(_ zone: String, _ base: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.python),
                     "croniter is not installed: run 'make deps' (it installs croniter into .venv)")
        let compiled = try FixturePlans.compile(yaml: Self.plan, file: "plans/parity.yaml")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone)
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let baseEpoch = Int(try #require(formatter.date(from: base)).timeIntervalSince1970)
        for job in compiled.jobs {
            let timer = try Self.systemd(job.schedule.onCalendar, base: base, count: 50, zone: zone)
            let cron = try Self.croniter(job.schedule.cron, base: baseEpoch, count: 50, zone: zone)
            #expect(timer.count == 50)
            #expect(timer == cron, "\(job.schedule.expression): OnCalendar \(job.schedule.onCalendar) vs cron '\(job.schedule.cron)'")
        }
    }

    /// What happens on DST nights to a 02:05 job on a Berlin host, as each tool does it: the timer skips the
    /// non-existent 02:05 of 2026-03-29 and fires once on 2026-10-25; croniter (like Debian's cron) fires
    /// the skipped one right after the change. This is why BP504 notes such schedules.
    @Test func daylightSavingNightsDiffer() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.python), "run 'make deps'")
        let timer = try Self.systemd(["*-*-* 02:05:00"], base: "2026-03-28 12:00:00", count: 2, zone: "Europe/Berlin")
        let cron = try Self.croniter("5 2 * * *", base: 1_774_692_000, count: 2, zone: "Europe/Berlin")
        #expect(timer == [1_774_829_100, 1_774_915_500]) // 2026-03-30 and 03-31 02:05 CEST: the 29th is skipped
        #expect(cron.first == 1_774_746_000) // 2026-03-29 03:00 CEST, right after the change
    }
}
