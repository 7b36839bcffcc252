"""Oracles of the schedule agreement test (ScheduleAgreementTests): what the systemd timer and Debian's
cron do with the lines backplan emits.

Reads JSON on standard input: {"count": N, "cases": [{"zone", "base", "lines", "cron"}]} (base in
seconds since the epoch) and prints one JSON object per case, in order: {"systemd": [...],
"failed": [...lines systemd-analyze could not evaluate], "cron": [...]}, each list the next N instants
strictly after base, in seconds since the epoch.

systemd: `systemd-analyze calendar --iterations=N` (the installed systemd), one call per zone and base
time with every distinct OnCalendar= line of those cases; a case's instants are the union of its lines'.

cron: croniter enumerates the wall times the cron line matches (day_or as Debian's cron: the two day
fields are ORed only when neither starts with '*'). croniter knows nothing of Debian's handling of
clock changes, so this script adds it, from cron(8) on Debian and its cron.c: a job whose minute or
hour field starts with '*' is a wildcard job and simply runs by the local clock, so it runs at both
occurrences of a repeated wall time and not at all for a skipped one; any other (fixed-time) job runs
once for a repeated wall time (at its first occurrence) and, for a wall time skipped by a jump of less
than 3 hours, right after the change (at the instant of the change).
"""
import datetime
import json
import re
import subprocess
import sys
from zoneinfo import ZoneInfo

from croniter import croniter

UTC = datetime.timezone.utc
INSTANT = re.compile(r"(?:Next elapse|Iter\. #\d+|\(in UTC\)): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC$")
FAILED = re.compile(r"Failed to determine next elapse for '(.*)': ")


def systemd(zone, base, lines, count):
    """{line: [instants]} and the set of lines systemd-analyze failed on."""
    stamp = datetime.datetime.fromtimestamp(base, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    result = subprocess.run(
        ["systemd-analyze", "calendar", f"--iterations={count}", f"--base-time={stamp}", *lines],
        env={"TZ": zone, "LANG": "C", "SYSTEMD_COLORS": "0", "SYSTEMD_PAGER": "", "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True)
    # One table per line, the tables separated by an empty line; a line that fails at once prints none.
    blocks, text, position = [], result.stdout, 0
    for _ in lines:
        if position < len(text) and text[position] != "\n":
            end = text.find("\n\n", position)
            end = len(text) if end < 0 else end + 1
            blocks.append(text[position:end])
            position = end + 1
        else:
            blocks.append("")
            position += 1
    if position < len(text.rstrip("\n")):
        raise SystemExit(f"systemd-analyze printed more than {len(lines)} tables: {result.stderr}")
    instants = {}
    for line, block in zip(lines, blocks):
        found = []
        for text in block.splitlines():
            match = INSTANT.search(text.strip())
            if match:
                wall = datetime.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
                found.append(int(wall.timestamp()))
        instants[line] = found
    failed = {m.group(1) for m in FAILED.finditer(result.stderr)}
    return instants, failed


def instants_of_wall(wall, zone):
    """The instants at which the local clock shows `wall`: one, two (repeated) or none (skipped)."""
    found = []
    for fold in (0, 1):
        aware = wall.replace(tzinfo=zone, fold=fold)
        instant = int(aware.timestamp())
        back = datetime.datetime.fromtimestamp(instant, zone).replace(tzinfo=None)
        if back == wall and instant not in found:
            found.append(instant)
    return sorted(found)


def change_after(wall, zone):
    """The instant of the clock change that skipped `wall` (the first instant whose wall time is later)."""
    guess = int(wall.replace(tzinfo=zone, fold=0).timestamp()) - 4 * 3600
    while datetime.datetime.fromtimestamp(guess, zone).replace(tzinfo=None) < wall:
        guess += 60
    return guess


def debian_cron(line, zone_name, base, count):
    zone = ZoneInfo(zone_name)
    fields = line.split()
    wildcard = fields[0].startswith("*") or fields[1].startswith("*")
    day_or = not (fields[2].startswith("*") or fields[4].startswith("*"))
    start = datetime.datetime.fromtimestamp(base - 4 * 3600, zone).replace(tzinfo=None, second=0)
    matches = croniter(line, start, day_or=day_or)
    found = set()
    horizon = None
    while True:
        wall = matches.get_next(datetime.datetime)
        if wall.year >= 2200:
            break
        instants = instants_of_wall(wall, zone)
        if not instants:
            runs = [] if wildcard else [change_after(wall, zone)]
        elif wildcard:
            runs = instants
        else:
            runs = instants[:1]
        found.update(t for t in runs if t > base)
        if horizon is None and len(found) >= count:
            horizon = max(sorted(found)[:count]) + 4 * 3600  # later wall times are at least 3 h later
        if horizon is not None and instants and instants[0] > horizon:
            break
    return sorted(found)[:count]


def main():
    request = json.load(sys.stdin)
    count, cases = request["count"], request["cases"]
    groups = {}
    for case in cases:
        groups.setdefault((case["zone"], case["base"]), set()).update(case["lines"])
    evaluated = {key: systemd(key[0], key[1], sorted(lines), count) for key, lines in groups.items()}
    for case in cases:
        instants, failed = evaluated[(case["zone"], case["base"])]
        union = sorted({t for line in case["lines"] for t in instants[line]})[:count]
        print(json.dumps({
            "systemd": union,
            "failed": sorted(line for line in case["lines"] if line in failed),
            "cron": debian_cron(case["cron"], case["zone"], case["base"], count),
        }))


main()
