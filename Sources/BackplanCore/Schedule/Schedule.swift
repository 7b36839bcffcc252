/// A job's schedule: the expression as written and the calendar events it stands for.
///
/// Both syntaxes a plan accepts, systemd calendar expressions and 5-field cron expressions, parse
/// (with `ScheduleParser`) into this one model: the schedule fires at every instant at which any of
/// its `events` fires.
///
/// A systemd calendar expression is always one event. A cron expression is one event too, except
/// when both day-of-month and day-of-week are restricted: cron then fires on days matching *either*
/// field, which is modelled as two events (one restricting the day of the month, one the weekday).
/// Like Debian's cron (and Vixie cron), a field whose text starts with `*` counts as unrestricted
/// for that rule even when it has a step, so `0 0 */2 * 1` fires on odd days that are Mondays
/// (one event, both fields ANDed), while `0 0 1-31/2 * 1` fires on odd days and on Mondays.
public struct Schedule: Hashable, Sendable, Codable {
    /// Which syntax the expression is written in.
    public enum Syntax: String, Hashable, Sendable, Codable {
        /// systemd calendar events (`systemd.time(7)`), as in `OnCalendar=`.
        case calendar
        /// A 5-field cron expression (`crontab(5)`) or an `@` shorthand.
        case cron
    }

    /// The expression exactly as written in the plan.
    public var expression: String
    public var syntax: Syntax
    /// The events whose union is the schedule; never empty for a parsed schedule.
    public var events: [CalendarEvent]
    /// The "Normalized form:" `systemd-analyze calendar` prints for a calendar expression; nil for
    /// cron expressions and for schedules built by hand.
    public var normalizedForm: String?

    public init(expression: String, syntax: Syntax, events: [CalendarEvent], normalizedForm: String? = nil) {
        self.expression = expression
        self.syntax = syntax
        self.events = events
        self.normalizedForm = normalizedForm
    }
}
