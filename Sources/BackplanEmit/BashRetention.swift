/// Retention in the generated job scripts: one bash function with the same decision as
/// `RetentionPlanner` (restic 0.14's `forget --keep-*` rules; see there for the semantics).
public enum BashRetention {
    /// The name of the function `function` defines.
    public static let functionName = "bp_retention_remove_ids"

    /// The bash text of `bp_retention_remove_ids`, which job scripts include verbatim.
    ///
    /// Usage: `bp_retention_remove_ids LAST HOURLY DAILY WEEKLY MONTHLY YEARLY WITHIN_SECONDS`
    /// (`RetentionPolicy.shellArguments`; 0 turns a rule off). It reads snapshot IDs on standard input,
    /// one per line, in any order; duplicates count once; lines that are not IDs (`SnapshotTime(id:)`)
    /// are ignored and never printed. It prints the IDs to remove, one per line, in byte order. With
    /// every rule off it prints nothing; it never prints the newest ID. Bad arguments: a message on
    /// standard error and status 2.
    ///
    /// Needs bash 5, `sort` and a POSIX awk (mawk is enough): one `sort`, one `awk` and one `sort`
    /// process whatever the number of IDs; dates and ISO weeks are computed in awk, never by `date`.
    public static let function = #"""
# bp_retention_remove_ids LAST HOURLY DAILY WEEKLY MONTHLY YEARLY WITHIN_SECONDS
# Reads snapshot IDs (YYYYMMDDTHHMMSSZ, UTC) on stdin, one per line, any order, and prints those that
# restic's `forget --keep-*` rules remove, sorted. 0 turns a rule off; all off removes nothing.
# Duplicates count once; other lines are ignored and never printed; the newest ID is never printed.
bp_retention_remove_ids() {
  local -
  set -o pipefail
  local arg
  if (($# != 7)); then
    echo "usage: bp_retention_remove_ids LAST HOURLY DAILY WEEKLY MONTHLY YEARLY WITHIN_SECONDS" >&2
    return 2
  fi
  for arg in "$@"; do
    if [[ ! $arg =~ ^[0-9]{1,15}$ ]]; then
      echo "bp_retention_remove_ids: not a count: '$arg'" >&2
      return 2
    fi
  done
  # Newest first: IDs have a fixed width, so byte order is time order.
  LC_ALL=C sort -r -u | LC_ALL=C awk -v last="$1" -v hourly="$2" -v daily="$3" -v weekly="$4" \
    -v monthly="$5" -v yearly="$6" -v within="$7" '
    # Days since 1970-01-01 plus 146097 (400 Gregorian years, a whole number of weeks), so that
    # integer division and % never see a negative number for years 0000-9999.
    function days(y, m, d,   era, yoe, doy) {
      y += 400
      if (m <= 2) y--
      era = int(y / 400)
      yoe = y - era * 400
      doy = int((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1
      return era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy - 719468
    }
    # ISO 8601 week-year * 100 + week: the week belongs to the year of its Thursday.
    function isoweek(y, m, d,   n, thu, wy) {
      n = days(y, m, d)
      thu = n - ((n + 3) % 7 + 1) + 4
      wy = y
      if (thu < days(y, 1, 1)) wy = y - 1
      else if (thu >= days(y + 1, 1, 1)) wy = y + 1
      return wy * 100 + int((thu - days(wy, 1, 1)) / 7) + 1
    }
    BEGIN {
      count[0] = last + 0; count[1] = hourly + 0; count[2] = daily + 0
      count[3] = weekly + 0; count[4] = monthly + 0; count[5] = yearly + 0
      within += 0
      on = within > 0
      for (i = 0; i < 6; i++) { previous[i] = -1; if (count[i] > 0) on = 1 }
      n = 0
    }
    !on { next }
    !/^[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z$/ { next }
    {
      y = substr($0, 1, 4) + 0; m = substr($0, 5, 2) + 0; d = substr($0, 7, 2) + 0
      hh = substr($0, 10, 2) + 0; mi = substr($0, 12, 2) + 0; ss = substr($0, 14, 2) + 0
      if (m < 1 || m > 12 || d < 1 || hh > 23 || mi > 59 || ss > 59) next
      if (m == 2) dim = (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28
      else if (m == 4 || m == 6 || m == 9 || m == 11) dim = 30
      else dim = 31
      if (d > dim) next
      t = days(y, m, d) * 86400 + hh * 3600 + mi * 60 + ss
      if (n == 0) newest = t
      value[0] = n
      value[1] = y * 1000000 + m * 10000 + d * 100 + hh
      value[2] = y * 10000 + m * 100 + d
      value[3] = count[3] > 0 ? isoweek(y, m, d) : 0
      value[4] = y * 100 + m
      value[5] = y
      keep = within > 0 && t > newest - within
      for (i = 0; i < 6; i++) {
        if (count[i] > 0 && value[i] != previous[i]) { keep = 1; previous[i] = value[i]; count[i]-- }
      }
      if (!keep) print
      n++
    }
  ' | LC_ALL=C sort
}

"""#
}
