/// One comma-separated item of a systemd calendar field as written: `start`, `start..stop`,
/// `start/step` or `start..stop/step`, with where it was written (for messages).
///
/// Normalizing, validating and printing follow systemd 252's `calendarspec.c`, so the printed
/// chain is what `systemd-analyze calendar` shows as the normalized form.
struct CalendarComponent: Sendable {
    var start: Int
    /// Inclusive end of a range; nil when the item is not a range.
    var stop: Int?
    /// 0 for a single value; 1 for a plain range.
    var step: Int
    /// Where the item starts in the expression, in Unicode scalars, and how long it is.
    var offset: Int
    var length: Int
    /// The item's text as written, for messages.
    var text: String

    var sortKey: [Int] { [start, stop ?? -1, step] }

    /// systemd's `normalize_chain` for one item: shorten a stepped range to its last hit, and turn
    /// a range or step that cannot fire twice into a single value.
    mutating func normalize() {
        if let stop, stop > start, step > 0 {
            self.stop = stop - (stop - start) % step
        }
        let collapses = stop.map { ($0 > start && step > 0 && start + step > $0) || $0 == start } ?? false
        if collapses {
            step = 0
            stop = nil
        }
    }

    /// systemd's `chain_valid` for one item, with a message saying what is wrong.
    func validate(_ field: CalendarField) throws(ScheduleError) {
        let bounds = field.bounds
        let range = "\(bounds.lowerBound)-\(bounds.upperBound)"
        if !bounds.contains(start) {
            throw error("'\(start)' is not \(field.noun) (\(range))")
        }
        if step > bounds.upperBound - bounds.lowerBound {
            throw error("the step in '\(text)' is larger than the whole range of \(field.noun) (\(range))")
        }
        if let stop {
            if !bounds.contains(stop) {
                throw error("'\(stop)' is not \(field.noun) (\(range))")
            }
            if start + step > stop {
                throw error(
                    "the range '\(text)' runs backwards",
                    help: "write the smaller value first, e.g. '\(stop)..\(start)'"
                )
            }
        } else if start + step > bounds.upperBound {
            throw error(
                "'\(text)' never repeats: \(start) + \(step) is past \(bounds.upperBound)",
                help: "write just '\(start)', or a smaller step"
            )
        }
    }

    /// The values the item stands for within `field`.
    func values(in field: CalendarField) -> [Int] {
        guard step > 0 else { return [start] }
        let last = min(stop ?? field.bounds.upperBound, field.bounds.upperBound)
        guard start <= last else { return [] }
        return Array(stride(from: start, through: last, by: step))
    }

    /// systemd's `format_chain` for one item.
    func formatted(width: Int) -> String {
        var text = Self.pad(start, width)
        if let stop, stop > 0 { text += ".." + Self.pad(stop, width) }
        if step > 0, !((stop ?? 0) > 0 && step == 1) { text += "/\(step)" }
        return text
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private func error(_ message: String, help: String? = nil) -> ScheduleError {
        ScheduleError(message, offset: offset, length: length, help: help)
    }
}

/// A calendar field as written: nil for `*`, otherwise the items.
typealias CalendarChain = [CalendarComponent]

extension Array where Element == CalendarComponent {
    /// Normalizes each item, then sorts and de-duplicates like systemd.
    func normalizedChain() -> [CalendarComponent] {
        var items = map { item -> CalendarComponent in
            var item = item
            item.normalize()
            return item
        }
        items.sort { $0.sortKey.lexicographicallyPrecedes($1.sortKey) }
        var unique: [CalendarComponent] = []
        for item in items where unique.last?.sortKey != item.sortKey {
            unique.append(item)
        }
        return unique
    }

    func values(in field: CalendarField) -> [Int] {
        flatMap { $0.values(in: field) }
    }

    /// The chain as systemd prints it; `isSeconds` prints the every-second chain as `*`.
    func formatted(width: Int, isSeconds: Bool = false) -> String {
        if isSeconds, count == 1, self[0].start == 0, self[0].stop == nil, self[0].step == 1 {
            return "*"
        }
        return map { $0.formatted(width: width) }.joined(separator: ",")
    }
}
