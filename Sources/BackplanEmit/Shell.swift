import BackplanCore
import Foundation

/// The one place plan values become bash words. Every value a generated script holds passes through
/// `Shell.quote`, so quotes, `$()`, backticks, globs, spaces, leading dashes and unicode stay inert data.
/// Values with a NUL or a line break never reach here: the plan decoder refuses them (BP115).
public enum Shell {
    /// A single bash word that expands to exactly `value`: bare when it holds only safe characters,
    /// else single-quoted with each `'` written as `'\''`.
    public static func quote(_ value: String) -> String {
        precondition(!value.unicodeScalars.contains { $0 == "\0" || $0 == "\n" || $0 == "\r" },
                     "control characters are refused by the plan decoder")
        if !value.isEmpty, value.unicodeScalars.allSatisfy(isSafe) { return value }
        return "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// A bash array literal: `(a 'b c')`.
    public static func array(_ values: [String]) -> String {
        "(" + values.map(quote).joined(separator: " ") + ")"
    }

    /// Characters that need no quoting anywhere in a word (not even at its start).
    private static func isSafe(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || "/._-:@%+,".unicodeScalars.contains(c)
    }
}
