extension Schedule {
    /// A 5-field cron expression firing at the same instants, or an error saying what cron cannot
    /// express: seconds other than 0, specific years, a time zone (cron uses the host's), a day of
    /// the month and a weekday both restricted in one event (systemd requires both, cron either —
    /// unless one of them can be written as a `*/N` field, which Debian's cron ANDs), or events
    /// that cannot be merged into one line.
    public func cronLine() -> Result<String, ScheduleError> {
        let merged = Self.merged(events)
        for event in merged {
            if let problem = cronProblem(event) { return .failure(problem) }
        }
        if merged.count == 1, let event = merged.first {
            return renderCron(event)
        }
        if merged.count == 2, let line = Self.cronEither(merged[0], merged[1]) ?? Self.cronEither(merged[1], merged[0]) {
            return .success(line)
        }
        return .failure(failure(
            "cron cannot express this schedule in one line: its \(merged.count) events differ in more than one field",
            help: "split the job's schedule, or use only the systemd timer"
        ))
    }

    private func cronProblem(_ event: CalendarEvent) -> ScheduleError? {
        if event.seconds != [0] {
            let list = event.seconds.map(String.init).joined(separator: ",")
            return failure("cron fires only at second 0, but this schedule fires at second \(list)",
                           help: "write the time as HH:MM, or use only the systemd timer")
        }
        if let years = event.years {
            return failure("cron cannot restrict the year (this schedule names \(Self.list(years)))",
                           help: "drop the year, or use only the systemd timer")
        }
        if let zone = event.timeZone {
            return failure("cron runs jobs in the host's local time; it cannot use the time zone '\(zone)'",
                           help: "drop the time zone, or use only the systemd timer")
        }
        return nil
    }

    private func renderCron(_ event: CalendarEvent) -> Result<String, ScheduleError> {
        let head = Self.timeFields(event)
        let months = Self.cron(event.months, 1...12, allowStar: true)
        switch (event.days, event.weekdays) {
        case (nil, nil):
            return .success("\(head) * \(months) *")
        case (let days?, nil):
            return .success("\(head) \(Self.cron(days, 1...31, allowStar: true)) \(months) *")
        case (nil, let weekdays?):
            return .success("\(head) * \(months) \(Self.cron(Self.cronWeekdays(weekdays), 0...6, allowStar: true))")
        case (let days?, let weekdays?):
            let cronDays = Self.cronWeekdays(weekdays)
            if let step = Self.starStep(days, 1...31) {
                return .success("\(head) */\(step) \(months) \(Self.cron(cronDays, 0...6, allowStar: true))")
            }
            if let step = Self.starStep(cronDays, 0...6) {
                return .success("\(head) \(Self.cron(days, 1...31, allowStar: false)) \(months) */\(step)")
            }
            return .failure(failure(
                "cron cannot require both a day of the month and a weekday: systemd fires on days matching both, "
                    + "cron on days matching either",
                help: "restrict only the day of the month or only the weekday, or use only the systemd timer"
            ))
        }
    }

    /// Two events `first` (days only) and `second` (weekdays only), otherwise equal: cron's OR.
    private static func cronEither(_ first: CalendarEvent, _ second: CalendarEvent) -> String? {
        guard let days = first.days, first.weekdays == nil, second.days == nil, let weekdays = second.weekdays else {
            return nil
        }
        var probe = second
        (probe.days, probe.weekdays) = (days, nil)
        guard probe == first else { return nil }
        let dayField = cron(days, 1...31, allowStar: false)
        let weekdayField = cron(cronWeekdays(weekdays), 0...6, allowStar: false)
        return "\(timeFields(first)) \(dayField) \(cron(first.months, 1...12, allowStar: true)) \(weekdayField)"
    }

    private static func timeFields(_ event: CalendarEvent) -> String {
        cron(event.minutes, 0...59, allowStar: true) + " " + cron(event.hours, 0...23, allowStar: true)
    }

    private static func cron(_ values: [Int]?, _ bounds: ClosedRange<Int>, allowStar: Bool) -> String {
        guard let values else { return "*" }
        return FieldRenderer.render(values, bounds: bounds, style: .cron(allowStar: allowStar))
    }

    /// ISO weekdays (7 = Sunday) in cron numbering (0 = Sunday), sorted.
    private static func cronWeekdays(_ weekdays: [Int]) -> [Int] {
        weekdays.map { $0 % 7 }.sorted()
    }

    /// `N` when `values` is exactly what `*/N` selects in a field with these bounds (N ≥ 2 values).
    private static func starStep(_ values: [Int], _ bounds: ClosedRange<Int>) -> Int? {
        guard values.count >= 2, values.first == bounds.lowerBound, let step = FieldRenderer.commonStep(values),
              let last = values.last, last + step > bounds.upperBound else { return nil }
        return step
    }

    private static func list(_ values: [Int]) -> String {
        values.count > 4 ? "\(values[0])…\(values[values.count - 1])" : values.map(String.init).joined(separator: ", ")
    }

    private func failure(_ message: String, help: String) -> ScheduleError {
        ScheduleError(message, offset: 0, length: expression.unicodeScalars.count, help: help)
    }

    /// Removes duplicates and merges events that differ in one field only (their union is exact).
    static func merged(_ events: [CalendarEvent]) -> [CalendarEvent] {
        var result: [CalendarEvent] = []
        for event in events where !result.contains(event) { result.append(event) }
        var changed = true
        while changed {
            changed = false
            search: for i in result.indices {
                for j in result.indices where j > i {
                    if let union = result[i].union(result[j]) {
                        result[i] = union
                        result.remove(at: j)
                        changed = true
                        break search
                    }
                }
            }
        }
        return result
    }
}

extension CalendarEvent {
    private var fieldLists: [[Int]?] { [weekdays, years, months, days, hours, minutes, seconds] }

    /// The event firing at both events' instants, when they differ in at most one field.
    func union(_ other: CalendarEvent) -> CalendarEvent? {
        guard timeZone == other.timeZone else { return nil }
        let mine = fieldLists
        let theirs = other.fieldLists
        let differing = mine.indices.filter { mine[$0] != theirs[$0] }
        guard differing.count <= 1 else { return nil }
        var fields = mine
        if let index = differing.first {
            fields[index] = (mine[index].flatMap { a in theirs[index].map { a + $0 } })
        }
        return CalendarEvent(weekdays: fields[0], years: fields[1], months: fields[2], days: fields[3],
                             hours: fields[4] ?? Array(CalendarField.hour.bounds),
                             minutes: fields[5] ?? Array(CalendarField.minute.bounds),
                             seconds: fields[6] ?? Array(CalendarField.second.bounds), timeZone: timeZone)
    }
}
