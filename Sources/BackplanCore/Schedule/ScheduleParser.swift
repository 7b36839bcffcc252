/// Parses the two schedule syntaxes a plan accepts into one `Schedule` model.
public enum ScheduleParser {
    /// Parses a systemd calendar expression such as `*-*-* 03:15`, `Mon..Fri 03:15`, `*:0/15`,
    /// `daily` or `Sun 04:00 Europe/Berlin`, accepting what systemd 252 accepts except `~`,
    /// fractional seconds and `@SECONDS` (see `CalendarExpressionParser`).
    public static func parseCalendar(_ expression: String) throws(ScheduleError) -> Schedule {
        try CalendarExpressionParser.parse(expression)
    }

    /// Parses a cron expression: five fields `minute hour day-of-month month day-of-week` with
    /// lists, ranges, steps, `*`, month names jan…dec and day names sun…sat (any case; 0 and 7 are
    /// Sunday), or `@hourly`, `@daily`, `@midnight`, `@weekly`, `@monthly`, `@yearly`, `@annually`.
    public static func parseCron(_ expression: String) throws(ScheduleError) -> Schedule {
        try CronExpressionParser.parse(expression)
    }
}
