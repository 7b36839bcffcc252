// Temporary stand-in until the schedule model lands; replaced at merge.
public struct Schedule: Sendable, Hashable { public var expression: String }
public struct ScheduleError: Error, Sendable, Hashable {
    public var message: String
    public var offset: Int
    public var length: Int
    public var help: String?
}
public enum ScheduleParser {
    public static func parseCalendar(_ text: String) throws(ScheduleError) -> Schedule { Schedule(expression: text) }
    public static func parseCron(_ text: String) throws(ScheduleError) -> Schedule { Schedule(expression: text) }
}
import Foundation
extension Schedule {
    public func firstCommonMinute(with other: Schedule, after: Date, within: TimeInterval) -> Date? { nil }
}
