/// One systemd-like calendar event: the set of wall-clock instants whose every field is in its set.
///
/// A field that is `nil` matches any value. Value lists are explicit, sorted and unique: ranges and
/// steps are expanded within the field's bounds (`CalendarField`). A list that covers the whole field
/// is stored as `nil` (for the optional fields), so equal sets compare equal.
public struct CalendarEvent: Hashable, Sendable, Codable {
    /// ISO weekdays, 1 = Monday … 7 = Sunday; nil = any day of the week.
    public var weekdays: [Int]?
    /// Years 1970…2199; nil = any.
    public var years: [Int]?
    /// Months 1…12; nil = any.
    public var months: [Int]?
    /// Days of the month 1…31; nil = any. A day a month lacks never matches in that month.
    public var days: [Int]?
    /// Hours 0…23.
    public var hours: [Int]
    /// Minutes 0…59.
    public var minutes: [Int]
    /// Seconds 0…59.
    public var seconds: [Int]
    /// An IANA time zone name such as `UTC` or `Europe/Berlin`; nil = the host's local time.
    public var timeZone: String?

    /// Creates an event, sorting and de-duplicating the lists, dropping values outside the field's
    /// bounds and turning a list that covers a whole optional field into `nil`.
    public init(
        weekdays: [Int]? = nil,
        years: [Int]? = nil,
        months: [Int]? = nil,
        days: [Int]? = nil,
        hours: [Int] = [0],
        minutes: [Int] = [0],
        seconds: [Int] = [0],
        timeZone: String? = nil
    ) {
        self.weekdays = CalendarField.weekday.normalizedOptional(weekdays)
        self.years = CalendarField.year.normalizedOptional(years)
        self.months = CalendarField.month.normalizedOptional(months)
        self.days = CalendarField.day.normalizedOptional(days)
        self.hours = CalendarField.hour.normalized(hours)
        self.minutes = CalendarField.minute.normalized(minutes)
        self.seconds = CalendarField.second.normalized(seconds)
        self.timeZone = timeZone
    }

    /// True when the event can never fire (an empty list, as after an intersection).
    var isEmpty: Bool {
        hours.isEmpty || minutes.isEmpty || seconds.isEmpty
            || weekdays?.isEmpty == true || years?.isEmpty == true
            || months?.isEmpty == true || days?.isEmpty == true
    }

    /// The event firing exactly when both fire (same time zone assumed), at minute granularity
    /// when `ignoringSeconds` (seconds become `[0]`).
    func intersection(_ other: CalendarEvent, ignoringSeconds: Bool) -> CalendarEvent {
        CalendarEvent(
            weekdays: Self.intersect(weekdays, other.weekdays),
            years: Self.intersect(years, other.years),
            months: Self.intersect(months, other.months),
            days: Self.intersect(days, other.days),
            hours: Self.intersect(hours, other.hours) ?? [],
            minutes: Self.intersect(minutes, other.minutes) ?? [],
            seconds: ignoringSeconds ? [0] : (Self.intersect(seconds, other.seconds) ?? []),
            timeZone: timeZone
        )
    }

    static func intersect(_ a: [Int]?, _ b: [Int]?) -> [Int]? {
        guard let a else { return b }
        guard let b else { return a }
        let set = Set(b)
        return a.filter { set.contains($0) }
    }
}

/// The fields of a calendar event and their bounds.
enum CalendarField: Sendable, CaseIterable {
    case weekday, year, month, day, hour, minute, second

    var bounds: ClosedRange<Int> {
        switch self {
        case .weekday: 1...7
        case .year: 1970...2199
        case .month: 1...12
        case .day: 1...31
        case .hour: 0...23
        case .minute, .second: 0...59
        }
    }

    /// What the field is called in messages ("an hour", "a minute").
    var noun: String {
        switch self {
        case .weekday: "a weekday"
        case .year: "a year"
        case .month: "a month"
        case .day: "a day of the month"
        case .hour: "an hour"
        case .minute: "a minute"
        case .second: "a second"
        }
    }

    func normalized(_ values: [Int]) -> [Int] {
        Array(Set(values.filter { bounds.contains($0) })).sorted()
    }

    func normalizedOptional(_ values: [Int]?) -> [Int]? {
        guard let values else { return nil }
        let result = normalized(values)
        return result.count == bounds.count ? nil : result
    }
}
