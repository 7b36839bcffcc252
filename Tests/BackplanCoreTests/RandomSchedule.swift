import TestSupport
@testable import BackplanCore

/// Random valid-looking schedule expressions in both syntaxes, biased towards the hours and minutes
/// that clock changes touch (01:00-03:59; :00, :22, :30, :39, :45) and towards steps, lists and ranges
/// in every field, both day fields included.
enum RandomSchedule {
    static func expression(_ rng: inout SplitMix) -> (String, Schedule.Syntax) {
        Bool.random(using: &rng) ? (calendar(&rng), .calendar) : (cron(&rng), .cron)
    }

    static func calendar(_ rng: inout SplitMix) -> String {
        if Int.random(in: 0..<12, using: &rng) == 0 {
            return ["hourly", "daily", "weekly", "monthly", "quarterly"].randomElement(using: &rng)!
        }
        let weekdays = Int.random(in: 0..<4, using: &rng) == 0
            ? ["Mon..Fri", "Sat", "Sun", "Mon,Wed", "Sat,Sun", "Tue..Thu"].randomElement(using: &rng)! + " " : ""
        let months = field(&rng, 1...12, style: .calendar, restrict: 4)
        let days = weekdays.isEmpty ? field(&rng, 1...31, style: .calendar, restrict: 3) : "*"
        let hours = field(&rng, 0...23, style: .calendar, restrict: 1, hot: [1, 2, 3])
        let minutes = field(&rng, 0...59, style: .calendar, restrict: 1, hot: [0, 22, 30, 39, 45])
        return "\(weekdays)*-\(months)-\(days) \(hours):\(minutes)"
    }

    static func cron(_ rng: inout SplitMix) -> String {
        if Int.random(in: 0..<12, using: &rng) == 0 {
            return ["@hourly", "@daily", "@weekly", "@monthly"].randomElement(using: &rng)!
        }
        let minutes = field(&rng, 0...59, style: .cron, restrict: 1, hot: [0, 22, 30, 39, 45])
        let hours = field(&rng, 0...23, style: .cron, restrict: 1, hot: [1, 2, 3])
        let days = field(&rng, 1...31, style: .cron, restrict: 3)
        let months = field(&rng, 1...12, style: .cron, restrict: 4)
        let weekdays = Int.random(in: 0..<3, using: &rng) == 0 ? field(&rng, 0...6, style: .cron, restrict: 1) : "*"
        return "\(minutes) \(hours) \(days) \(months) \(weekdays)"
    }

    enum Style { case calendar, cron }

    /// `*` about once in `restrict + 1` times, otherwise a value, a list, a range or a step.
    static func field(_ rng: inout SplitMix, _ bounds: ClosedRange<Int>, style: Style, restrict: Int, hot: [Int] = []) -> String {
        let pick = { (rng: inout SplitMix) -> Int in
            !hot.isEmpty && Bool.random(using: &rng) ? hot.randomElement(using: &rng)! : Int.random(in: bounds, using: &rng)
        }
        let range = style == .calendar ? ".." : "-"
        let pad = { (value: Int) in style == .calendar && bounds.lowerBound > 0 && value < 10 ? "0\(value)" : "\(value)" }
        switch Int.random(in: 0...(restrict + 5), using: &rng) {
        case 0: return pad(pick(&rng))
        case 1:
            let values = Set((0..<Int.random(in: 2...4, using: &rng)).map { _ in pick(&rng) }).sorted()
            return values.map(pad).joined(separator: ",")
        case 2:
            let a = pick(&rng), b = Int.random(in: a...bounds.upperBound, using: &rng)
            return a == b ? pad(a) : pad(a) + range + pad(b)
        case 3:
            let step = Int.random(in: 2...max(2, (bounds.count) / 2), using: &rng)
            return style == .cron ? "*/\(step)" : pad(bounds.lowerBound) + "/\(step)"
        case 4:
            let step = Int.random(in: 2...max(2, bounds.count / 3), using: &rng)
            let a = Int.random(in: bounds.lowerBound...(bounds.upperBound - step), using: &rng)
            let b = Int.random(in: (a + step)...bounds.upperBound, using: &rng)
            return Bool.random(using: &rng) ? pad(a) + "/\(step)" : pad(a) + range + pad(b) + "/\(step)"
        case 5:
            return pad(pick(&rng)) + "," + pad(bounds.lowerBound) + range + pad(bounds.lowerBound + Int.random(in: 1...3, using: &rng))
        default: return "*"
        }
    }
}
