import Foundation

/// Parses systemd calendar expressions (`systemd.time(7)`), accepting what systemd 252 accepts.
///
/// Rejected on purpose although systemd accepts them, because cron cannot express them and
/// backplan emits both: `~` (days counted from the end of the month), fractional seconds and
/// `@SECONDS` single instants. Also rejected: time zone names Foundation does not know under
/// exactly that name (systemd also accepts any file under /usr/share/zoneinfo, e.g. `posixrules`).
struct CalendarExpressionParser {
    private let scalars: [Unicode.Scalar]
    /// Where the expression proper ends (a trailing time zone is after it).
    private var end: Int
    private var pos = 0

    private init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        end = scalars.count
    }

    static func parse(_ text: String) throws(ScheduleError) -> Schedule {
        var parser = CalendarExpressionParser(text)
        var spec = try parser.parseSpec()
        try spec.normalizeAndValidate()
        return Schedule(expression: text, syntax: .calendar, events: [spec.event], normalizedForm: spec.normalizedForm)
    }

    private mutating func parseSpec() throws(ScheduleError) -> CalendarSpec {
        guard !scalars.isEmpty else {
            throw ScheduleError("the schedule is empty", help: "write e.g. 'daily' or '*-*-* 03:15'")
        }
        let zone = try splitTimeZone()
        let body = String(String.UnicodeScalarView(scalars[0..<end]))
        guard !body.isEmpty else {
            throw ScheduleError("there is no time before the time zone", help: "write e.g. '*-*-* 03:15 \(zone ?? "UTC")'")
        }
        if var spec = CalendarSpec.shorthand(body.lowercased()) {
            spec.timeZone = zone
            return spec
        }
        try rejectShorthandWithMore(body)
        var spec = CalendarSpec()
        spec.timeZone = zone
        try parseWeekdays(&spec)
        try parseDateAndTime(&spec)
        return spec
    }

    /// Splits off a trailing ` UTC` (any case) or ` Zone/Name`, as systemd does.
    private mutating func splitTimeZone() throws(ScheduleError) -> String? {
        if scalars.count >= 4, String(String.UnicodeScalarView(scalars.suffix(4))).lowercased() == " utc" {
            end = scalars.count - 4
            return "UTC"
        }
        guard let space = scalars.lastIndex(of: " ") else { return nil }
        let name = String(String.UnicodeScalarView(scalars[(space + 1)...]))
        if Self.isKnownTimeZone(name) {
            end = space
            return name == "UTC" ? "UTC" : name
        }
        if Self.looksLikeTimeZone(name) {
            throw ScheduleError(
                "'\(name)' is not a known time zone", offset: space + 1, length: name.unicodeScalars.count,
                help: "write an IANA time zone name such as 'UTC' or 'Europe/Berlin', or none for the host's local time"
            )
        }
        return nil
    }

    static func isKnownTimeZone(_ name: String) -> Bool {
        let allowed = name.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "/_+-".unicodeScalars.contains($0))
        }
        guard allowed, !name.isEmpty, !name.hasPrefix("/"), !name.contains("..") else { return false }
        return TimeZone(identifier: name)?.identifier == name
    }

    private static func looksLikeTimeZone(_ name: String) -> Bool {
        let lower = name.lowercased()
        if CalendarSpec.shorthand(lower) != nil || weekdayNames.contains(where: { $0.0.lowercased() == lower }) {
            return false
        }
        let letters = name.unicodeScalars.allSatisfy { $0.isASCII && CharacterSet.letters.contains($0) }
        return name.contains("/") && !name.contains(":") || (letters && name.count >= 3)
    }

    private func rejectShorthandWithMore(_ body: String) throws(ScheduleError) {
        guard let space = body.firstIndex(of: " ") else { return }
        let word = String(body[..<space])
        guard CalendarSpec.shorthand(word.lowercased()) != nil else { return }
        let rest = body[space...].drop(while: { $0 == " " })
        let date = switch word.lowercased() {
        case "weekly": "Mon *-*-*"
        case "monthly": "*-*-01"
        case "yearly", "annually", "anually": "*-01-01"
        default: "*-*-*"
        }
        throw ScheduleError(
            "'\(body)' is not a calendar expression; write '\(date) \(rest)' or '\(word)'",
            offset: 0, length: body.unicodeScalars.count
        )
    }

    // MARK: Weekdays

    private static let weekdayNames: [(String, Int)] = [
        ("Monday", 0), ("Mon", 0), ("Tuesday", 1), ("Tue", 1), ("Wednesday", 2), ("Wed", 2),
        ("Thursday", 3), ("Thu", 3), ("Friday", 4), ("Fri", 4), ("Saturday", 5), ("Sat", 5),
        ("Sunday", 6), ("Sun", 6),
    ]

    private func matchWeekday() -> (day: Int, length: Int)? {
        for (name, day) in Self.weekdayNames {
            let name = Array(name.lowercased().unicodeScalars)
            guard pos + name.count <= end else { continue }
            let candidate = scalars[pos..<(pos + name.count)].map { Self.lower($0) }
            if candidate == name { return (day, name.count) }
        }
        return nil
    }

    /// systemd's `parse_weekdays`: `Mon`, `Monday`, `Mon..Fri`, `Mon-Fri`, `Mon,Wed`, any case.
    private mutating func parseWeekdays(_ spec: inout CalendarSpec) throws(ScheduleError) {
        var rangeStart: Int?
        var first = true
        var itemStart = pos
        while true {
            guard let (day, length) = matchWeekday() else {
                if first { return }
                throw error(at: pos, "'\(token(at: pos))' is not a weekday", help: Self.weekdayHelp)
            }
            if let next = scalar(pos + length), !"-., ".unicodeScalars.contains(next) {
                throw error(at: pos, "'\(token(at: pos))' is not a weekday", help: Self.weekdayHelp)
            }
            spec.weekdayBits |= 1 << day
            if let low = rangeStart {
                if low > day {
                    let text = String(String.UnicodeScalarView(scalars[itemStart..<(pos + length)]))
                    throw ScheduleError(
                        "the weekday range '\(text)' runs backwards", offset: itemStart, length: pos + length - itemStart,
                        help: "weekday ranges go from Monday to Sunday; write e.g. 'Fri..Sun,Mon'"
                    )
                }
                for between in low..<day { spec.weekdayBits |= 1 << between }
            }
            pos += length
            guard let next = scalar(pos) else { return }
            if next == " " {
                skipSpaces()
                return
            }
            if next == "." || next == "-" {
                if rangeStart != nil { throw error(at: pos, "a weekday range cannot continue here") }
                if next == ".", scalar(pos + 1) != "." {
                    throw error(at: pos, "write '..' between the first and last weekday of a range")
                }
                rangeStart = day
                pos += next == "." ? 2 : 1
            } else if next == "," {
                rangeStart = nil
                pos += 1
                itemStart = pos
            }
            if scalar(pos) == nil || scalar(pos) == " " {
                if rangeStart != nil { throw error(at: pos, "the weekday range has no last day", help: "write e.g. 'Mon..Fri'") }
                skipSpaces()
                return
            }
            first = false
        }
    }

    private static let weekdayHelp = "weekdays are Mon, Tue, Wed, Thu, Fri, Sat and Sun (or spelled out), e.g. 'Mon..Fri'"

    // MARK: Date and time

    /// systemd's `parse_date` then `parse_calendar_time`.
    private mutating func parseDateAndTime(_ spec: inout CalendarSpec) throws(ScheduleError) {
        if scalar(pos) == "@" {
            throw error(at: pos, "'@SECONDS' (a single instant) is not supported by backplan",
                        help: "a backup job repeats; write a calendar expression such as '*-*-* 03:15'")
        }
        if scalar(pos) != nil {
            let dateStart = pos
            let first = try parseChain(field: .year)
            if scalar(pos) == nil || scalar(pos) == ":" {
                pos = dateStart
            } else {
                try expectDateSeparator()
                let second = try parseChain(field: .month)
                if scalar(pos) == nil || scalar(pos) == " " {
                    (spec.months, spec.days) = (first, second)
                } else {
                    try expectDateSeparator()
                    let third = try parseChain(field: .day)
                    guard scalar(pos) == nil || scalar(pos) == " " else { throw unexpected() }
                    (spec.years, spec.months, spec.days) = (first, second, third)
                }
                skipSpaces()
            }
        }
        try parseTime(&spec)
    }

    private mutating func expectDateSeparator() throws(ScheduleError) {
        if scalar(pos) == "~" {
            throw error(at: pos, "'~' (days counted from the end of the month) is not supported by backplan",
                        help: "cron cannot express it; write explicit days such as '*-*-28..31'")
        }
        guard scalar(pos) == "-" else { throw unexpected() }
        pos += 1
    }

    private mutating func parseTime(_ spec: inout CalendarSpec) throws(ScheduleError) {
        let zero = [CalendarComponent(start: 0, step: 0, offset: pos, length: 1, text: "0")]
        guard scalar(pos) != nil else {
            (spec.hours, spec.minutes, spec.seconds) = (zero, zero, zero)
            return
        }
        spec.hours = try parseChain(field: .hour)
        guard scalar(pos) == ":" else {
            if scalar(pos) == nil { throw error(at: pos, "a time needs minutes", help: "write e.g. '03:15'") }
            throw unexpected()
        }
        pos += 1
        spec.minutes = try parseChain(field: .minute)
        guard scalar(pos) != nil else {
            spec.seconds = zero
            return
        }
        guard scalar(pos) == ":" else { throw unexpected() }
        pos += 1
        spec.seconds = try parseChain(field: .second)
        guard scalar(pos) == nil else { throw unexpected() }
    }

    // MARK: Fields

    /// systemd's `parse_chain`: `*` (nil, or every second for seconds) or comma-separated items.
    private mutating func parseChain(field: CalendarField) throws(ScheduleError) -> CalendarChain? {
        if scalar(pos) == "*" {
            if scalar(pos + 1) == "/" {
                let text = token(at: pos)
                throw error(at: pos, "'\(text)' is cron syntax, not a calendar expression",
                            help: "write 'START/STEP', e.g. '\(text.replacingOccurrences(of: "*", with: "0"))'")
            }
            pos += 1
            guard field == .second else { return nil }
            return [CalendarComponent(start: 0, step: 1, offset: pos - 1, length: 1, text: "*")]
        }
        var items: CalendarChain = []
        while true {
            items.append(try parseComponent(field: field))
            guard scalar(pos) == "," else { break }
            pos += 1
            if items.count > 240 { throw error(at: pos, "a field can list at most 241 items") }
        }
        return items
    }

    /// systemd's `prepend_component`: `N`, `N..M`, `N/S` or `N..M/S`.
    private mutating func parseComponent(field: CalendarField) throws(ScheduleError) -> CalendarComponent {
        let start = pos
        let first = try parseNumber(field: field)
        var stop: Int?
        var step = 0
        if scalar(pos) == ".", scalar(pos + 1) == "." {
            pos += 2
            stop = try parseNumber(field: field)
            step = 1
        }
        if scalar(pos) == "/" {
            pos += 1
            step = try parseNumber(field: field)
            if step == 0 { throw error(at: pos - 1, "a step of 0 never advances", help: "write a step of 1 or more") }
        }
        if let next = scalar(pos), !" ,-~:".unicodeScalars.contains(next) { throw unexpected() }
        let text = String(String.UnicodeScalarView(scalars[start..<pos]))
        return CalendarComponent(start: first, stop: stop, step: step, offset: start, length: pos - start, text: text)
    }

    private mutating func parseNumber(field: CalendarField) throws(ScheduleError) -> Int {
        let start = pos
        var value = 0
        while let digit = scalar(pos), ("0"..."9").contains(digit) {
            value = min(value * 10 + Int(digit.value - 48), Int(Int32.max) + 1)
            pos += 1
        }
        guard pos > start else {
            if scalar(pos) == nil { throw error(at: pos, "expected a number or '*' here") }
            throw error(at: pos, "expected a number or '*', not '\(token(at: pos))'", help: Self.shapeHelp)
        }
        if value > Int(Int32.max) { throw error(at: start, "'\(token(at: start))' is too large", length: pos - start) }
        if field == .second, scalar(pos) == ".", scalar(pos + 1) != "." {
            throw error(at: pos, "fractional seconds are not supported by backplan",
                        help: "cron cannot express them; write whole seconds")
        }
        return value
    }

    // MARK: Scanning

    private static let shapeHelp =
        "a calendar expression looks like '[WEEKDAYS] [[YYYY-]MM-DD] HH:MM[:SS] [TIME/ZONE]', e.g. 'Mon..Fri *-*-* 03:15'"

    private func scalar(_ index: Int) -> Unicode.Scalar? {
        index < end ? scalars[index] : nil
    }

    private mutating func skipSpaces() {
        while scalar(pos) == " " { pos += 1 }
    }

    private static func lower(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32) ?? scalar : scalar
    }

    /// The text from `index` up to the next space, comma or end, for messages.
    private func token(at index: Int) -> String {
        var stop = index
        while stop < end, scalars[stop] != " ", scalars[stop] != "," { stop += 1 }
        return String(String.UnicodeScalarView(scalars[index..<max(stop, min(index + 1, end))]))
    }

    private func unexpected() -> ScheduleError {
        guard let found = scalar(pos) else { return error(at: pos, "the expression ends too early", help: Self.shapeHelp) }
        let what = found == " " ? "space" : "'\(found)'"
        return error(at: pos, "unexpected \(what)", help: Self.shapeHelp)
    }

    private func error(at offset: Int, _ message: String, length: Int = 1, help: String? = nil) -> ScheduleError {
        ScheduleError(message, offset: offset, length: length, help: help)
    }
}
