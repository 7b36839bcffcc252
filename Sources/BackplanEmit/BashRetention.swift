/// The bash function that decides which snapshots retention removes, included verbatim in every job script.
///
/// PLACEHOLDER: honours `keep_last` only and keeps everything when it is 0. The real implementation
/// (restic's `forget --keep-*` semantics on the IDs' UTC times) replaces this file at merge; it keeps the
/// same name and signature:
///
///     bp_retention_remove_ids LAST HOURLY DAILY WEEKLY MONTHLY YEARLY WITHIN_SECONDS
///
/// Each argument is a count (0 = rule off). Reads snapshot IDs (`YYYYMMDDTHHMMSSZ`), one per line, on
/// standard input and prints the IDs to remove, one per line. It must never print the newest ID.
public enum BashRetention {
    public static let function: String = #"""
        # bp_retention_remove_ids LAST HOURLY DAILY WEEKLY MONTHLY YEARLY WITHIN_SECONDS
        # PLACEHOLDER (keep_last only): reads snapshot IDs on stdin, prints the IDs to remove.
        # With LAST = 0 it removes nothing, whatever the other rules say.
        bp_retention_remove_ids() {
          local last=$1 id index=0
          local -a ids=()
          mapfile -t ids < <(LC_ALL=C sort -r -u)
          (( last > 0 )) || return 0
          for id in "${ids[@]}"; do
            index=$((index + 1))
            if (( index > last )); then
              printf '%s\n' "$id"
            fi
          done
        }

        """#
}
