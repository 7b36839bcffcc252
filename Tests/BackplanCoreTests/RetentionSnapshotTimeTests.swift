import Foundation
import Testing
@testable import BackplanCore

@Suite("Retention: snapshot times")
struct RetentionSnapshotTimeTests {
    /// date, ISO week-year, week, ISO weekday, checked with GNU `date -u -d DATE +'%G %V %u'`.
    static let isoWeeks: [(String, Int, Int, Int)] = [
        ("20261231", 2026, 53, 4), ("20270101", 2026, 53, 5), ("20270103", 2026, 53, 7), ("20270104", 2027, 1, 1),
        ("20201231", 2020, 53, 4), ("20210103", 2020, 53, 7), ("20210104", 2021, 1, 1), ("20241230", 2025, 1, 1),
        ("20081229", 2009, 1, 1), ("20100103", 2009, 53, 7), ("20000229", 2000, 9, 2), ("20160229", 2016, 9, 1),
        ("20151231", 2015, 53, 4), ("20160101", 2015, 53, 5), ("20261127", 2026, 48, 5), ("19990101", 1998, 53, 5),
        ("20041231", 2004, 53, 5), ("20050102", 2004, 53, 7),
    ]

    @Test(arguments: isoWeeks)
    func isoWeek(_ date: String, _ weekYear: Int, _ week: Int, _ weekday: Int) throws {
        let time = try #require(SnapshotTime(id: date + "T120000Z"))
        #expect(time.isoWeek == (weekYear, week))
        #expect(time.isoWeekday == weekday)
    }

    @Test(arguments: [
        ("20261127T031500Z", 1_795_749_300), ("20000229T235959Z", 951_868_799), ("19700101T000000Z", 0),
        ("19691231T235959Z", -1),
    ])
    func secondsSinceEpoch(_ id: String, _ seconds: Int) throws {
        #expect(try #require(SnapshotTime(id: id)).secondsSinceEpoch == seconds)
        #expect(SnapshotTime(secondsSinceEpoch: seconds)?.id == id)
    }

    @Test(arguments: [
        "20261127T031500Z", "20240229T000000Z", "20000229T235959Z", "00000101T000000Z", "99991231T235959Z",
        "00000229T000000Z",
    ])
    func validIDsRoundTrip(_ id: String) throws {
        let time = try #require(SnapshotTime(id: id))
        #expect(time.id == id)
        #expect(SnapshotTime(secondsSinceEpoch: time.secondsSinceEpoch) == time)
    }

    @Test(arguments: [
        "", "garbage", "20261127T031500", "20261127T031500Z ", " 20261127T031500Z", "20261127T031500Z\r",
        "20261127t031500z", "20261127 031500Z", "2026-11-27T03:15:00Z", "20261127T0315000Z", "202611270T31500Z",
        "20261327T031500Z", "20260027T031500Z", "20261100T031500Z", "20261131T031500Z", "20230229T000000Z",
        "19000229T000000Z", "20261127T241500Z", "20261127T036000Z", "20261127T031560Z", "+0261127T031500Z",
        "２0261127T031500Z", ".20261127T031500Z.partial",
    ])
    func invalidIDs(_ id: String) {
        #expect(SnapshotTime(id: id) == nil)
    }

    @Test func outsideYearsZeroToNineThousandNineHundredNinetyNine() throws {
        let first = try #require(SnapshotTime(id: "00000101T000000Z")).secondsSinceEpoch
        let last = try #require(SnapshotTime(id: "99991231T235959Z")).secondsSinceEpoch
        #expect(SnapshotTime(secondsSinceEpoch: first - 1) == nil)
        #expect(SnapshotTime(secondsSinceEpoch: last + 1) == nil)
    }

    /// Every day from 1990 to 2040 against Foundation's ISO 8601 calendar and `Date`.
    @Test func agreesWithFoundationEveryDay() throws {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var date = try #require(calendar.date(from: DateComponents(year: 1990, month: 1, day: 1, hour: 13, minute: 5, second: 7)))
        var mismatches: [String] = []
        while calendar.component(.year, from: date) < 2041 {
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .yearForWeekOfYear, .weekOfYear], from: date)
            let time = try #require(SnapshotTime(year: c.year!, month: c.month!, day: c.day!, hour: c.hour!,
                                                 minute: c.minute!, second: c.second!))
            if time.isoWeek != (c.yearForWeekOfYear!, c.weekOfYear!) || time.secondsSinceEpoch != Int(date.timeIntervalSince1970)
                || SnapshotTime(secondsSinceEpoch: Int(date.timeIntervalSince1970)) != time {
                mismatches.append(time.id)
            }
            date += 86_400
        }
        #expect(mismatches.isEmpty)
    }
}
