import Foundation
import Testing
@testable import BackplanCore

/// Issue 10, part 1: an hourly backup runs every real hour on the night the clock goes back, from the
/// systemd timer as from cron, on a server whose zone the saved deployment records.
@Suite struct HostClockTests {
    static func host(_ name: String) throws -> HostClock {
        HostClock(zone: try #require(HostClock.zone(named: name)))
    }

    @Test func everyHourOfEveryDayIsWrittenInUTCWhereTheZoneAllows() throws {
        let hourly = try ScheduleParser.parseCalendar("hourly")
        #expect(hourly.onCalendarLines(on: try Self.host("Europe/Berlin")) == ["*-*-* *:00:00 UTC"])
        #expect(hourly.onCalendarLines(on: try Self.host("America/New_York")) == ["*-*-* *:00:00 UTC"])
        // +09:30 and +10:30: the minutes of the offset never change, so :15 local is always :45 UTC.
        #expect(try ScheduleParser.parseCron("15 * * * *").onCalendarLines(on: try Self.host("Australia/Adelaide"))
                == ["*-*-* *:45:00 UTC"])
        // St John's is -03:30/-02:30: :00 local is :30 UTC.
        #expect(hourly.onCalendarLines(on: try Self.host("America/St_Johns")) == ["*-*-* *:30:00 UTC"])
        #expect(hourly.clockChangeBehaviour(on: try Self.host("Europe/Berlin")) == .everyRealHour)
    }

    @Test func otherSchedulesAndZonesKeepLocalTime() throws {
        let hourly = try ScheduleParser.parseCalendar("hourly")
        // No clock change: nothing to do, nothing to note.
        for zone in ["UTC", "Asia/Kolkata"] {
            #expect(hourly.onCalendarLines(on: try Self.host(zone)) == ["*-*-* *:00:00"])
            #expect(hourly.clockChangeBehaviour(on: try Self.host(zone)) == nil)
        }
        // Lord Howe is +10:30/+11:00: no UTC minute is right all year, so the note stays.
        #expect(hourly.onCalendarLines(on: try Self.host("Australia/Lord_Howe")) == ["*-*-* *:00:00"])
        #expect(hourly.clockChangeBehaviour(on: try Self.host("Australia/Lord_Howe")) == .wildcard)
        // Unknown zone: as before, local time and the note.
        #expect(hourly.onCalendarLines == ["*-*-* *:00:00"])
        #expect(hourly.clockChangeBehaviour(on: nil) == .wildcard)
        // Restricted days or hours: the local day and hour boundaries move against UTC, so they stay local.
        let berlin = try Self.host("Europe/Berlin")
        for expression in ["Mon *-*-* *:00", "*-*-01 *:30", "*-*-* 00/2:00"] {
            let schedule = try ScheduleParser.parseCalendar(expression)
            #expect(schedule.onCalendarLines(on: berlin) == schedule.onCalendarLines, "\(expression)")
        }
        #expect(try ScheduleParser.parseCron("0 * 1 * mon").onCalendarLines(on: berlin).allSatisfy { !$0.hasSuffix("UTC") })
        #expect(try ScheduleParser.parseCron("*/15 2 * * *").clockChangeBehaviour(on: berlin) == .wildcard)
        #expect(try ScheduleParser.parseCalendar("*-*-* 02:30").clockChangeBehaviour(on: berlin) == .fixedTime)
    }

    /// The case: `hourly` on a Berlin server from 2026-10-24 08:28:30 UTC. The emitted timer
    /// (systemd-analyze) and cron line (croniter with Debian's rules) both fire at every real hour of
    /// the night the clock goes back, 00:00, 01:00 and 02:00 UTC on 2026-10-25 (02:00 local twice).
    @Test func theTimerAndCronRunEveryRealHourOnTheNightTheClockGoesBack() throws {
        let hourly = try ScheduleParser.parseCalendar("hourly")
        let berlin = try Self.host("Europe/Berlin")
        let base = 1_792_830_510  // 2026-10-24 08:28:30 UTC
        let answers = try ScheduleOracleRunner.run(
            [.init(zone: "Europe/Berlin", base: base, lines: hourly.onCalendarLines(on: berlin), cron: "0 * * * *"),
             .init(zone: "Europe/Berlin", base: base, lines: hourly.onCalendarLines, cron: "0 * * * *")],
            count: 40)
        let realHours = (0..<40).map { 1_792_832_400 + $0 * 3600 }  // from 2026-10-24 09:00 UTC
        #expect(answers[0].systemd == realHours)
        #expect(answers[0].cron == realHours)
        // Written in local time, as before: the timer skips 2026-10-25 01:00 UTC (the second 02:00).
        #expect(!answers[1].systemd.contains(1_792_890_000))  // 2026-10-25 01:00 UTC
        #expect(answers[1].systemd.count == 40 && answers[1].systemd != realHours)
        let explained = Schedule(expression: "hourly", syntax: .calendar, events: hourly.timerEvents(on: berlin))
            .nextInstants(after: Date(timeIntervalSince1970: TimeInterval(base)), count: 40, localTimeZone: berlin.zone)
        #expect(explained.map { Int($0.timeIntervalSince1970) } == realHours)
    }

    @Test func zoneNamesAreCheckedBeforeFoundationReadsThem() {
        for name in ["Europe/Berlin", "UTC", "Etc/GMT-1", "America/Argentina/Buenos_Aires"] {
            #expect(HostClock.zone(named: name) != nil, "\(name)")
        }
        for name in ["", "../../etc/passwd", "/etc/localtime", "Europe//Berlin", "Europe/.hidden", "Mars/Olympus", "UTC\n"] {
            #expect(HostClock.zone(named: name) == nil, "\(name)")
        }
    }

    @Test func aSavedDeploymentsZoneIsInputLikeAnyOther() {
        var deployment = Deployment(host: HostInfo(timeZone: "../../etc/shadow"))
        #expect(deployment.problems().map(\.field) == ["host.time_zone"])
        deployment.host = HostInfo(timeZone: "Europe/Berlin\u{202E}")
        #expect(deployment.problems().first?.message.contains("bidirectional") == true)
        deployment.host = HostInfo(timeZone: "Europe/Berlin")
        #expect(deployment.problems().isEmpty)
        #expect(HostClock(deployment)?.zone.identifier == "Europe/Berlin")
    }

    /// Detection reads the zone of the server's clock: the link /etc/localtime, else /etc/timezone,
    /// else UTC when /etc/localtime is missing; a copied file without /etc/timezone is noted (BP407).
    @Test func detectRecordsTheServersZone() throws {
        func detect(_ setUp: (FixtureTree) throws -> Void) throws -> (String?, [Diagnostic]) {
            let tree = try FixtureTree()
            defer { tree.remove() }
            try tree.copyData(to: "srv/owui/data")
            try FileManager.default.createDirectory(atPath: tree.path + "/etc", withIntermediateDirectories: true)
            try setUp(tree)
            let (found, diagnostics) = Detector.detect(DetectOptions(dataDir: "/srv/owui/data", root: tree.path, environment: [:]))
            return (try #require(found).host?.timeZone, diagnostics)
        }
        let linked = try detect { tree in
            try FileManager.default.createSymbolicLink(atPath: tree.path + "/etc/localtime",
                                                       withDestinationPath: "../usr/share/zoneinfo/Europe/Berlin")
        }
        #expect(linked.0 == "Europe/Berlin" && linked.1.isEmpty)
        let posix = try detect { tree in
            try FileManager.default.createSymbolicLink(atPath: tree.path + "/etc/localtime",
                                                       withDestinationPath: "/usr/share/zoneinfo/posix/America/New_York")
        }
        #expect(posix.0 == "America/New_York")
        let debian = try detect { tree in
            try tree.write("etc/localtime", "TZif2 copied")
            try tree.write("etc/timezone", "Australia/Lord_Howe\n")
        }
        #expect(debian.0 == "Australia/Lord_Howe")
        let missing = try detect { _ in }
        #expect(missing.0 == "UTC" && missing.1.isEmpty)
        let unknown = try detect { tree in
            try tree.write("etc/localtime", "TZif2 copied")
            try tree.write("etc/timezone", "../../etc/passwd\n")
        }
        #expect(unknown.0 == nil)
        #expect(unknown.1.map(\.code) == [.hostTimeZoneUnknown])
    }
}
