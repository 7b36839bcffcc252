import Foundation

/// Parses 5-field cron expressions the way Debian's cron reads them (see `Schedule` for how
/// day-of-month and day-of-week combine). Also accepts `N/S` (from N to the field's end every S),
/// as cronie and croniter do; `@reboot`, seconds fields and the `L W # ?` extensions are errors.
struct CronExpressionParser {
    private let text: String

    /// One whitespace-separated field with where it starts (Unicode scalars).
    private struct Field {
        var text: String
        var offset: Int
    }

    /// A cron field: its bounds in cron numbering and the names it accepts (index + first = value).
    private struct FieldKind {
        var name: String
        var noun: String { (name == "hour" ? "an " : "a ") + name }
        var bounds: ClosedRange<Int>
        var names: [String] = []
        var firstNameValue = 0
    }

    private static let kinds = [
        FieldKind(name: "minute", bounds: 0...59),
        FieldKind(name: "hour", bounds: 0...23),
        FieldKind(name: "day of the month", bounds: 1...31),
        FieldKind(name: "month", bounds: 1...12,
                  names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
                  firstNameValue: 1),
        FieldKind(name: "day of the week", bounds: 0...7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]),
    ]

    static func parse(_ text: String) throws(ScheduleError) -> Schedule {
        let trimmed = text.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
        let lead = text.unicodeScalars.prefix { $0 == " " || $0 == "\t" }.count
        if trimmed.hasPrefix("@") {
            let fields = try CronExpressionParser(text: trimmed).parseFields(shorthand(trimmed, offset: lead))
            return Schedule(expression: text, syntax: .cron, events: fields)
        }
        let parser = CronExpressionParser(text: text)
        return Schedule(expression: text, syntax: .cron, events: try parser.parseFields(parser.split()))
    }

    private static func shorthand(_ word: String, offset: Int) throws(ScheduleError) -> [Field] {
        let fields: String
        switch word {
        case "@yearly", "@annually": fields = "0 0 1 1 *"
        case "@monthly": fields = "0 0 1 * *"
        case "@weekly": fields = "0 0 * * 0"
        case "@daily", "@midnight": fields = "0 0 * * *"
        case "@hourly": fields = "0 * * * *"
        case "@reboot":
            throw ScheduleError("'@reboot' runs a job at boot, not on a schedule; backplan jobs need a schedule",
                                offset: offset, length: word.unicodeScalars.count,
                                help: "write e.g. '@daily' or '15 3 * * *'")
        default:
            throw ScheduleError("'\(word)' is not a cron shorthand", offset: offset, length: word.unicodeScalars.count,
                                help: "write @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually")
        }
        return fields.split(separator: " ").map { Field(text: String($0), offset: offset) }
    }

    private init(text: String) {
        self.text = text
    }

    /// The whitespace-separated fields, checked to be five.
    private func split() throws(ScheduleError) -> [Field] {
        var fields: [Field] = []
        var current = ""
        var start = 0
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if scalar == " " || scalar == "\t" {
                if !current.isEmpty { fields.append(Field(text: current, offset: start)) }
                current = ""
            } else {
                if current.isEmpty { start = index }
                current.unicodeScalars.append(scalar)
            }
        }
        if !current.isEmpty { fields.append(Field(text: current, offset: start)) }
        let shape = "a cron expression has 5 fields: minute hour day-of-month month day-of-week, e.g. '15 3 * * *'"
        if fields.isEmpty { throw ScheduleError("the schedule is empty", help: shape) }
        if fields.count > 5 {
            let extra = fields[5]
            throw ScheduleError("'\(extra.text)' is a sixth field; cron expressions have 5 (no seconds, no command)",
                                offset: extra.offset, length: extra.text.unicodeScalars.count, help: shape)
        }
        if fields.count < 5 {
            let missing = Self.kinds[fields.count...].map(\.name).joined(separator: ", ")
            throw ScheduleError("the cron expression has \(fields.count) field\(fields.count == 1 ? "" : "s"); missing: \(missing)",
                                offset: text.unicodeScalars.count, help: shape)
        }
        return fields
    }

    private func parseFields(_ fields: [Field]) throws(ScheduleError) -> [CalendarEvent] {
        var values: [[Int]] = []
        for (field, kind) in zip(fields, Self.kinds) {
            values.append(try parseField(field, kind))
        }
        // Day of week: 0 and 7 are Sunday (ISO 7).
        let weekdays = values[4].map { $0 == 0 ? 7 : $0 }
        let base = CalendarEvent(months: values[3], hours: values[1], minutes: values[0], seconds: [0])
        var byDay = base
        byDay.days = CalendarField.day.normalizedOptional(values[2])
        var byWeekday = base
        byWeekday.weekdays = CalendarField.weekday.normalizedOptional(weekdays)
        let dayIsStar = fields[2].text.hasPrefix("*")
        let weekdayIsStar = fields[4].text.hasPrefix("*")
        if dayIsStar || weekdayIsStar {
            byDay.weekdays = byWeekday.weekdays
            return [byDay]
        }
        return byDay == byWeekday ? [byDay] : [byDay, byWeekday]
    }

    /// One field: comma-separated `*`, `*/S`, `N`, `N-M`, `N-M/S` or `N/S`; names where allowed.
    private func parseField(_ field: Field, _ kind: FieldKind) throws(ScheduleError) -> [Int] {
        var result: [Int] = []
        var offset = field.offset
        for item in field.text.split(separator: ",", omittingEmptySubsequences: false) {
            result += try parseItem(String(item), at: offset, kind)
            offset += item.unicodeScalars.count + 1
        }
        return Array(Set(result)).sorted()
    }

    private func parseItem(_ item: String, at offset: Int, _ kind: FieldKind) throws(ScheduleError) -> [Int] {
        let length = max(1, item.unicodeScalars.count)
        func fail(_ message: String, help: String? = nil) -> ScheduleError {
            ScheduleError(message, offset: offset, length: length, help: help)
        }
        if item.isEmpty { throw fail("empty item in the \(kind.name) field", help: "remove the extra ','") }
        if let bad = item.first(where: { "LW#?".contains($0) }) {
            throw fail("'\(bad)' in '\(item)' is not supported by backplan (nor by Debian's cron)",
                       help: "write explicit values, lists and ranges")
        }
        let parts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw fail("'\(item)' has more than one '/'") }
        var step = 1
        if parts.count == 2 {
            guard let value = Int(parts[1]), value > 0, value <= 1000 else {
                throw fail("'\(parts[1])' is not a step; write a whole number of 1 or more after '/'")
            }
            step = value
        }
        let range = parts[0]
        let low: Int
        var high: Int
        if range == "*" {
            (low, high) = (kind.bounds.lowerBound, kind.bounds.upperBound)
            if kind.bounds == 0...7 { high = 6 }
        } else {
            let ends = range.split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count <= 2 else { throw fail("'\(item)' is not \(kind.noun), range or step") }
            low = try value(String(ends[0]), kind, fail)
            high = ends.count == 2 ? try value(String(ends[1]), kind, fail) : (parts.count == 2 ? kind.bounds.upperBound : low)
            if low > high {
                throw fail("the range '\(range)' runs backwards", help: "write the smaller value first")
            }
        }
        return Array(stride(from: low, through: high, by: step))
    }

    private func value(_ text: String, _ kind: FieldKind, _ fail: (String, String?) -> ScheduleError) throws(ScheduleError) -> Int {
        let bounds = "\(kind.bounds.lowerBound)-\(kind.bounds.upperBound)"
        if let index = kind.names.firstIndex(of: text.lowercased()) { return index + kind.firstNameValue }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            let names = kind.names.isEmpty ? "" : " or a name (\(kind.names.first ?? "")-\(kind.names.last ?? ""))"
            throw fail("'\(text)' is not \(kind.noun) (\(bounds))", "write a number\(names)")
        }
        guard text.count <= 4, let number = Int(text), kind.bounds.contains(number) else {
            throw fail("'\(text)' is not \(kind.noun) (\(bounds))", nil)
        }
        return number
    }
}
