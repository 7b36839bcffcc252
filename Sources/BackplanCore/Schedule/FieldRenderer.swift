/// Prints a sorted value list of one field compactly, as a systemd or a cron field.
///
/// A list covering the field is `*`; an arithmetic run of three or more values is a range or a
/// stepped range; anything else is a comma list in which runs of three or more consecutive values
/// become ranges. The output depends only on the values, so equal events print equally.
enum FieldRenderer {
    enum Style {
        /// `a..b`, `a/s`, `a..b/s`, zero-padded to `width` digits.
        case systemd(width: Int)
        /// `a-b`, `a-b/s`, and `*/s` only when `allowStar` (a cron field starting with `*` changes
        /// how day-of-month and day-of-week combine).
        case cron(allowStar: Bool)

        /// systemd 252 mis-evaluates `/` repetitions (it misses instants of `*-*-01/4` at a new year and
        /// loops forever on `00/10` hours near clock changes), so OnCalendar= never has one: a stepped
        /// run is written as its list of values.
        var allowsSteps: Bool {
            switch self {
            case .systemd: false
            case .cron: true
            }
        }
    }

    static func render(_ values: [Int], bounds: ClosedRange<Int>, style: Style) -> String {
        guard let first = values.first, let last = values.last else { return "" }
        if values.count == bounds.count {
            if case .cron(allowStar: false) = style { return "\(first)-\(last)" }
            return "*"
        }
        if values.count >= 3, let step = commonStep(values), style.allowsSteps || step == 1 {
            return stepped(first, last, step, bounds: bounds, style: style)
        }
        var parts: [String] = []
        var index = 0
        while index < values.count {
            var end = index
            while end + 1 < values.count, values[end + 1] == values[end] + 1 { end += 1 }
            if end - index >= 2 {
                parts.append(stepped(values[index], values[end], 1, bounds: bounds, style: style))
                index = end + 1
            } else {
                parts.append(number(values[index], style))
                index += 1
            }
        }
        return parts.joined(separator: ",")
    }

    /// The step between all neighbours, if it is the same everywhere.
    static func commonStep(_ values: [Int]) -> Int? {
        guard values.count >= 2 else { return nil }
        let step = values[1] - values[0]
        for index in 1..<values.count where values[index] - values[index - 1] != step { return nil }
        return step
    }

    private static func stepped(_ first: Int, _ last: Int, _ step: Int, bounds: ClosedRange<Int>, style: Style) -> String {
        let reachesEnd = last + step > bounds.upperBound
        switch style {
        case .systemd:
            if step == 1 { return number(first, style) + ".." + number(last, style) }
            if reachesEnd { return number(first, style) + "/\(step)" }
            return number(first, style) + ".." + number(last, style) + "/\(step)"
        case .cron(let allowStar):
            if step == 1 { return "\(first)-\(last)" }
            if allowStar, reachesEnd, first == bounds.lowerBound { return "*/\(step)" }
            return "\(first)-\(last)/\(step)"
        }
    }

    private static func number(_ value: Int, _ style: Style) -> String {
        switch style {
        case .systemd(let width): CalendarComponent.pad(value, width)
        case .cron: String(value)
        }
    }
}

extension CalendarEvent {
    /// A systemd calendar expression (for `OnCalendar=`) firing at exactly this event's instants.
    public var onCalendarLine: String {
        var text = ""
        if let weekdays {
            text += CalendarSpec.formatWeekdays(weekdays.reduce(0) { $0 | 1 << ($1 - 1) }) + " "
        }
        text += Self.systemd(years, .year, width: 4) + "-" + Self.systemd(months, .month, width: 2)
        text += "-" + Self.systemd(days, .day, width: 2) + " " + Self.systemd(hours, .hour, width: 2)
        text += ":" + Self.systemd(minutes, .minute, width: 2) + ":" + Self.systemd(seconds, .second, width: 2)
        if let timeZone { text += " " + timeZone }
        return text
    }

    private static func systemd(_ values: [Int]?, _ field: CalendarField, width: Int) -> String {
        guard let values else { return "*" }
        return FieldRenderer.render(values, bounds: field.bounds, style: .systemd(width: width))
    }
}

extension Schedule {
    /// The schedule as `OnCalendar=` values, one per event, each printed compactly without `/`
    /// repetitions (`CalendarEvent.onCalendarLine`), whichever syntax the plan used, for a server
    /// whose zone is unknown (`onCalendarLines(on:)` for a known one).
    public var onCalendarLines: [String] {
        onCalendarLines(on: nil)
    }
}
