/// A systemd calendar expression as written, field by field (the parser's output before it is
/// lowered to a `CalendarEvent`).
struct CalendarSpec: Sendable {
    /// Bit 0 = Monday … bit 6 = Sunday; 0 = not written.
    var weekdayBits = 0
    var years: CalendarChain?
    var months: CalendarChain?
    var days: CalendarChain?
    var hours: CalendarChain?
    var minutes: CalendarChain?
    var seconds: CalendarChain?
    /// `UTC` for a trailing ` UTC` in any case, otherwise the zone name as written.
    var timeZone: String?

    /// The shorthands systemd accepts, in lower case, with what each stands for.
    static func shorthand(_ name: String) -> CalendarSpec? {
        func chain(_ values: Int...) -> CalendarChain {
            values.map { CalendarComponent(start: $0, step: 0, offset: 0, length: 1, text: String($0)) }
        }
        var spec = CalendarSpec()
        spec.seconds = chain(0)
        switch name {
        case "minutely":
            break
        case "hourly":
            spec.minutes = chain(0)
        case "daily":
            (spec.hours, spec.minutes) = (chain(0), chain(0))
        case "weekly":
            (spec.weekdayBits, spec.hours, spec.minutes) = (1, chain(0), chain(0))
        case "monthly":
            (spec.days, spec.hours, spec.minutes) = (chain(1), chain(0), chain(0))
        case "yearly", "annually", "anually":
            (spec.months, spec.days, spec.hours, spec.minutes) = (chain(1), chain(1), chain(0), chain(0))
        case "quarterly":
            (spec.months, spec.days, spec.hours, spec.minutes) = (chain(1, 4, 7, 10), chain(1), chain(0), chain(0))
        case "semiannually", "semi-annually", "biannually", "bi-annually":
            (spec.months, spec.days, spec.hours, spec.minutes) = (chain(1, 7), chain(1), chain(0), chain(0))
        default:
            return nil
        }
        return spec
    }

    /// systemd's `calendar_spec_normalize` followed by `calendar_spec_valid`.
    mutating func normalizeAndValidate() throws(ScheduleError) {
        if weekdayBits == 0b111_1111 { weekdayBits = 0 }
        if let chain = years {
            years = chain.map { item in
                var item = item
                item.start = Self.fixYear(item.start)
                item.stop = item.stop.map(Self.fixYear)
                return item
            }
        }
        years = years?.normalizedChain()
        months = months?.normalizedChain()
        days = days?.normalizedChain()
        hours = hours?.normalizedChain()
        minutes = minutes?.normalizedChain()
        seconds = seconds?.normalizedChain()
        let fields: [(CalendarChain?, CalendarField)] = [
            (years, .year), (months, .month), (days, .day),
            (hours, .hour), (minutes, .minute), (seconds, .second),
        ]
        for (chain, field) in fields {
            for item in chain ?? [] { try item.validate(field) }
        }
    }

    /// systemd reads two-digit years as 1970…2069.
    static func fixYear(_ year: Int) -> Int {
        switch year {
        case 0..<70: year + 2000
        case 70..<100: year + 1900
        default: year
        }
    }

    /// The event this expression stands for; call after `normalizeAndValidate()`.
    var event: CalendarEvent {
        let weekdays = weekdayBits == 0 ? nil : (0..<7).filter { weekdayBits & (1 << $0) != 0 }.map { $0 + 1 }
        return CalendarEvent(
            weekdays: weekdays,
            years: years?.values(in: .year),
            months: months?.values(in: .month),
            days: days?.values(in: .day),
            hours: hours?.values(in: .hour) ?? Array(CalendarField.hour.bounds),
            minutes: minutes?.values(in: .minute) ?? Array(CalendarField.minute.bounds),
            seconds: seconds?.values(in: .second) ?? Array(CalendarField.second.bounds),
            timeZone: timeZone
        )
    }

    /// The text `systemd-analyze calendar` prints as "Normalized form:".
    var normalizedForm: String {
        var text = ""
        if weekdayBits != 0 { text += Self.formatWeekdays(weekdayBits) + " " }
        text += Self.format(years, width: 4) + "-" + Self.format(months, width: 2) + "-" + Self.format(days, width: 2)
        text += " " + Self.format(hours, width: 2) + ":" + Self.format(minutes, width: 2) + ":"
        text += seconds.map { $0.formatted(width: 2, isSeconds: true) } ?? "*"
        if let timeZone { text += " " + timeZone }
        return text
    }

    private static func format(_ chain: CalendarChain?, width: Int) -> String {
        chain.map { $0.formatted(width: width) } ?? "*"
    }

    static let weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// systemd's `format_weekdays`: runs of three or more days as `A..B`, pairs as `A,B`.
    static func formatWeekdays(_ bits: Int) -> String {
        var parts: [String] = []
        var day = 0
        while day < 7 {
            guard bits & (1 << day) != 0 else {
                day += 1
                continue
            }
            var end = day
            while end + 1 < 7, bits & (1 << (end + 1)) != 0 { end += 1 }
            switch end - day {
            case 0: parts.append(weekdayNames[day])
            case 1: parts.append(weekdayNames[day] + "," + weekdayNames[end])
            default: parts.append(weekdayNames[day] + ".." + weekdayNames[end])
            }
            day = end + 1
        }
        return parts.joined(separator: ",")
    }
}
