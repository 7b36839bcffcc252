import Foundation

/// Runs `systemd-analyze calendar` (systemd 252, works without a running systemd) as the oracle.
enum SystemdAnalyze {
    static let path: String? = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    struct Output {
        var exitCode: Int32
        var normalizedForm: String?
        var instants: [Date]
    }

    /// `TZ=<hostZone> systemd-analyze calendar --iterations=N --base-time='<base> UTC' <expression>`.
    static func calendar(_ expression: String, hostZone: String, base: String, iterations: Int) throws -> Output {
        guard let path else { throw Missing() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["calendar", "--iterations=\(iterations)", "--base-time=\(base) UTC", expression]
        process.environment = ["TZ": hostZone, "LANG": "C", "SYSTEMD_COLORS": "0", "SYSTEMD_PAGER": ""]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = Pipe()
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        var output = Output(exitCode: process.terminationStatus, normalizedForm: nil, instants: [])
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("Normalized form: ") {
                output.normalizedForm = String(trimmed.dropFirst("Normalized form: ".count))
            } else if trimmed.hasPrefix("Next elapse: ") || trimmed.hasPrefix("Iter. #") {
                let value = trimmed.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces)
                if let date = parseInstant(value) { output.instants.append(date) }
            }
        }
        return output
    }

    struct Missing: Error {}

    /// Seconds east of UTC for `+HH`, `+HHMM`, `-HH` or `-HHMM`.
    static func numericOffset(_ text: Substring) -> Int? {
        guard let sign = text.first.flatMap({ ["+": 1, "-": -1][$0] }) else { return nil }
        let digits = text.dropFirst()
        guard digits.count == 2 || digits.count == 4, let hours = Int(digits.prefix(2)),
              let minutes = digits.count == 4 ? Int(digits.suffix(2)) : 0 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }

    /// Parses `Thu 2026-01-01 03:15:00 UTC` (also CET/CEST wall times and numeric zones: `+1030`, `+11`).
    static func parseInstant(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 4, let offset = ["UTC": 0, "CET": 3600, "CEST": 7200][String(parts[3])] ?? numericOffset(parts[3])
        else { return nil }
        let date = parts[1].split(separator: "-").compactMap { Int($0) }
        let time = parts[2].split(separator: ":").compactMap { Int($0) }
        guard date.count == 3, time.count == 3 else { return nil }
        return utc(date[0], date[1], date[2], time[0], time[1], time[2]).addingTimeInterval(TimeInterval(-offset))
    }
}

/// A UTC instant from its fields.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
}

/// `2026-01-01 00:00:00` → the UTC instant.
func utc(_ text: String) -> Date {
    let numbers = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).compactMap { Int($0) }
    return utc(numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5])
}

let berlin = TimeZone(identifier: "Europe/Berlin")!
let utcZone = TimeZone(identifier: "UTC")!

/// Instants printed as UTC text, for readable failures.
func iso(_ dates: [Date]) -> [String] {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = utcZone
    return dates.map { formatter.string(from: $0) }
}
