#!/usr/bin/env bash
# Benchmarks `backplan run` (the runtime executor, issue 4) against the tools it replaces, all in this
# one session so the ratios hold on a noisy machine; figures are medians of alternating rounds.
#   1. hot backup of a ~1 GiB WAL database: run vs `sqlite3 .backup` vs `cp` (wall time, peak RSS)
#   2. second run over many upload files with 1% changed: run vs `rsync -a --link-dest` and `cp -al`
#   3. quiesce window (stop -> start) of a run over a ~2 GiB data dir vs stop; cp -a; start
# Files go to bench-out/runtime (git-ignored); the big ones are removed at the end of each part.
#   BACKPLAN       the binary (default .build/release/backplan)
#   BENCH_DB_MIB   database size in MiB for part 1 (default 1024)
#   BENCH_FILES    upload files for part 2, 500 per folder (default 50000)   BENCH_ROUNDS  rounds (default 3)
#   BENCH_BIG_MIB  size of the part 3 data dir in MiB (default 2048)
#   BENCH_PARTS    which parts to run (default "1 2 3")
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BACKPLAN=${BACKPLAN:-.build/release/backplan}
[[ $BACKPLAN == /* ]] || BACKPLAN=$PWD/$BACKPLAN
DB_MIB=${BENCH_DB_MIB:-1024}
FILES=${BENCH_FILES:-50000}
ROUNDS=${BENCH_ROUNDS:-3}
BIG_MIB=${BENCH_BIG_MIB:-2048}
PARTS=${BENCH_PARTS:-1 2 3}
OUT=$PWD/bench-out/runtime
TIME=/usr/bin/time
step() { printf '\n==> %s\n' "$*"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
elapsed() { local start=$EPOCHREALTIME; "$@" >/dev/null 2>&1; awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.3f\n", b - a}'; }
# `timed NAME CMD...`: runs CMD under GNU time; prints "seconds peak_kib" and keeps CMD's stderr in NAME.err
timed() {
  local name=$1
  shift
  "$TIME" -o "$OUT/$name.time" -f '%e %M' "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
  cat "$OUT/$name.time"
}

if [[ ! -x "$BACKPLAN" ]]; then
  echo "bench-runtime: $BACKPLAN not found; build it first (make bench)" >&2
  exit 1
fi
[[ -x $TIME ]] || { echo "bench-runtime: $TIME (GNU time) missing; run make deps" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"
: >"$OUT/result.md"

# stamp: prefixes each line of stdin with the time it arrived (EPOCHREALTIME)
stamp() { local l; while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done; }

# plan NAME YAML: writes the plan and compiles it; prints the plan.json path
plan() {
  printf '%s\n' "$2" >"$OUT/$1.yaml"
  "$BACKPLAN" compile "$OUT/$1.yaml" --generated "$OUT/generated" >"$OUT/compile-$1.out" 2>&1
  echo "$OUT/generated/$1/plan.json"
}

part1() {
  local P=$OUT/p1
  mkdir -p "$P/data" "$P/state" "$P/copy"
  step "Part 1: a ${DB_MIB} MiB WAL database (the last eighth left in the WAL)"
  local rows=$((DB_MIB * 1024 / 4)) # ~4 KiB blobs
  local walrows=$((rows / 8))
  sqlite3 "$P/data/webui.db" <<SQL >/dev/null
PRAGMA journal_mode=WAL;
PRAGMA synchronous=OFF;
CREATE TABLE chat(id INTEGER PRIMARY KEY, body BLOB);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $((rows - walrows)))
  INSERT INTO chat(body) SELECT randomblob(4000) FROM c;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
  sqlite3 "$P/data/webui.db" <<SQL >/dev/null
.dbconfig no_ckpt_on_close on
PRAGMA wal_autocheckpoint=0;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $walrows)
  INSERT INTO chat(body) SELECT randomblob(4000) FROM c;
SQL
  ls -l "$P/data"
  local pj
  pj=$(plan bench-sqlite "version: 1
name: bench-sqlite
deployment: {data_dir: $P/data, state_dir: $P/state}
sources:
  database: {path: webui.db, kind: sqlite}
targets: {local: {type: local, path: $P/backups}}
jobs:
  hot: {schedule: \"*-*-* 03:15\", targets: [local], retention: {keep_last: 2}, quiesce: none}")

  local -a run_t run_m sq_t sq_m cp_t cp_m cap_t bk_t chk_t hash_t pub_t ver_t sc_t sc_m ic_t sh_t
  local i t m c b k h u v
  for ((i = 1; i <= ROUNDS; i++)); do
    local order=(run sqlite cp script)
    ((i % 2 == 0)) && order=(script cp sqlite run)
    for what in "${order[@]}"; do
      rm -rf "$P/backups" "$P/copy"/*
      sync
      case $what in
        run)
          # stdout (--json log lines) goes through stamp, which prefixes each line with its arrival time
          "$TIME" -o "$OUT/p1-run-$i.time" -f '%e %M' "$BACKPLAN" run "$pj" hot --json 2>"$OUT/p1-run-$i.err" |
            stamp >"$OUT/p1-run-$i.log"
          read -r t m <"$OUT/p1-run-$i.time"
          run_t+=("$t") run_m+=("$m")
          # capture: from "capture: source" to "capture: done", of which the online backup (to its "done"
          # line) and then integrity_check and SHA-256 of the copy (two threads); manifest: from "capture:
          # done" to the manifest line; publish: from there to the published line (SNAPSHOT.json, syncfs,
          # rename); verify: from the publish line to the verified line (SHA-256 again)
          c=$(awk '/capture: source/ {s = $1} /online backup of/ {b = $1} /capture: done/ {d = $1}
            /"step":"manifest"/ && !h {h = $1} /"step":"publish"/ {p = $1} /"step":"verify"/ {v = $1}
            END {printf "%.3f %.3f %.3f %.3f %.3f %.3f", d - s, b - s, d - b, h - d, p - h, v - p}' "$OUT/p1-run-$i.log")
          read -r c b k h u v <<<"$c"
          cap_t+=("$c") bk_t+=("$b") chk_t+=("$k") hash_t+=("$h") pub_t+=("$u") ver_t+=("$v")
          ;;
        sqlite)
          read -r t m < <(timed "p1-sqlite-$i" sqlite3 -readonly "$P/data/webui.db" ".backup '$P/copy/webui.db'")
          sq_t+=("$t") sq_m+=("$m")
          # what the run's capture does after the backup: integrity_check on the copy (read-write, as the run)
          ic_t+=("$(elapsed sqlite3 "$P/copy/webui.db" "PRAGMA integrity_check")")
          sh_t+=("$(elapsed sha256sum "$P/copy/webui.db")")
          ;;
        cp)
          read -r t m < <(timed "p1-cp-$i" cp "$P/data/webui.db" "$P/copy/webui.db")
          cp_t+=("$t") cp_m+=("$m")
          ;;
        script)
          read -r t m < <(timed "p1-script-$i" "$OUT/generated/bench-sqlite/hot.sh")
          sc_t+=("$t") sc_m+=("$m")
          ;;
      esac
      echo "round $i $what: ${t}s ${m} KiB"
    done
  done
  local rt st ct ca bk vt
  rt=$(median "${run_t[@]}") st=$(median "${sq_t[@]}") ct=$(median "${cp_t[@]}") ca=$(median "${cap_t[@]}")
  bk=$(median "${bk_t[@]}") vt=$(median "${ver_t[@]}")
  {
    echo "### Part 1: hot backup of a ${DB_MIB} MiB WAL database ($ROUNDS rounds, medians)"
    echo
    echo "| what | wall (s) | peak RSS (MiB) | run / this |"
    echo "|---|---:|---:|---:|"
    printf '| backplan run (hot, sqlite source only, local target) | %.2f | %.1f | 1.00 |\n' "$rt" "$(awk -v k="$(median "${run_m[@]}")" 'BEGIN {print k / 1024}')"
    printf '| of which capture (log line times) | %s | | |\n' "$ca"
    printf '| of which online backup (log line times) | %s | | |\n' "$bk"
    printf '| of which integrity_check and SHA-256 of the copy, two threads (log line times) | %s | | |\n' "$(median "${chk_t[@]}")"
    printf '| of which manifest (the hash is the capture'"'"'s; log line times) | %s | | |\n' "$(median "${hash_t[@]}")"
    printf '| of which publish: SNAPSHOT.json, syncfs, rename (log line times) | %s | | |\n' "$(median "${pub_t[@]}")"
    printf '| of which verify (manifest): SHA-256 of the copy again (log line times) | %s | | |\n' "$vt"
    printf '| sqlite3 COPY "PRAGMA integrity_check" (on the sqlite3 copy) | %s | | |\n' "$(median "${ic_t[@]}")"
    printf '| sha256sum COPY (on the sqlite3 copy) | %s | | |\n' "$(median "${sh_t[@]}")"
    printf '| sqlite3 SRC .backup DEST | %.2f | %.1f | %s |\n' "$st" "$(awk -v k="$(median "${sq_m[@]}")" 'BEGIN {print k / 1024}')" "$(ratio "$rt" "$st")"
    printf '| cp SRC DEST (main file only, no WAL) | %.2f | %.1f | %s |\n' "$ct" "$(awk -v k="$(median "${cp_m[@]}")" 'BEGIN {print k / 1024}')" "$(ratio "$rt" "$ct")"
    printf '| the generated job script (same job: sqlite3 .backup, integrity_check, sha256sum) | %.2f | %.1f | %s |\n' "$(median "${sc_t[@]}")" "$(awk -v k="$(median "${sc_m[@]}")" 'BEGIN {print k / 1024}')" "$(ratio "$rt" "$(median "${sc_t[@]}")")"
    local nv
    nv=$(awk -v a="$rt" -v b="$vt" 'BEGIN {printf "%.3f", a - b}')
    printf '\nwhole run / sqlite3 .backup: %s; / cp: %s\n' "$(ratio "$rt" "$st")" "$(ratio "$rt" "$ct")"
    printf 'whole run without the verify step %s s: / sqlite3 .backup %s, / cp %s\n' "$nv" "$(ratio "$nv" "$st")" "$(ratio "$nv" "$ct")"
    printf 'capture %s s: / sqlite3 .backup %s, / cp %s\n' "$ca" "$(ratio "$ca" "$st")" "$(ratio "$ca" "$ct")"
    printf 'online backup alone %s s: / sqlite3 .backup %s, / cp %s\n\n' "$bk" "$(ratio "$bk" "$st")" "$(ratio "$bk" "$ct")"
  } | tee -a "$OUT/result.md"
  echo "WAL after the rounds (never checkpointed by them): $(stat -c %s "$P/data/webui.db-wal") bytes"
  rm -rf "$P"
}

# Part 2 compares the second run of a files job with `rsync -a --link-dest` and `cp -al` of the same tree,
# timing the same work from the same state: every command reads the same source tree, links against the
# same previous snapshot and writes to the same file system (bench-out/); before each timed command the
# outputs of the last one are removed, the file system is synced (so no command pays for the write-back
# of another's dirty pages: the run's publish step syncs the whole file system) and the inodes of the
# source and the previous snapshot are read once (all commands start warm). The order rotates each
# round. rsync is also shown followed by `sync -f` of its copy: the run's snapshot is durable when it
# ends (publish syncs), rsync's is not. Wall and CPU (user+sys, children included) come from GNU time.
part2() {
  local P=$OUT/p2
  local folders=$((FILES / 500))
  ((folders > 0)) || folders=1
  mkdir -p "$P/data/uploads" "$P/state" "$P/out"
  step "Part 2: $FILES upload files of 2-5 KiB in $folders folders"
  python3 - "$P/data/uploads" "$FILES" "$folders" <<'PY'
import os, random, sys
root, n, folders = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(4)
for i in range(n):
    d = os.path.join(root, f"{i % folders:03d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"file-{i:06d}.bin"), "wb") as f:
        f.write(os.urandom(rnd.randint(2048, 5120)))
PY
  du -sh "$P/data/uploads"
  local pj
  # keep_last 100: retention removes nothing in these rounds (rsync and cp remove nothing either)
  pj=$(plan bench-files "version: 1
name: bench-files
deployment: {data_dir: $P/data, state_dir: $P/state}
sources:
  uploads: {path: uploads, kind: files}
targets: {local: {type: local, path: $P/backups}}
jobs:
  daily: {schedule: \"*-*-* 03:15\", targets: [local], retention: {keep_last: 100}}")
  echo "first run: $(elapsed "$BACKPLAN" run "$pj" daily) s"
  # clean WHAT: removes the outputs, syncs, reads the inodes of the source and the previous snapshot
  clean() {
    rm -rf "$P/out/rsync" "$P/out/cpal"
    sync
    find "$P/data/uploads" "$1" -printf '' 2>/dev/null
  }
  # gtime NAME CMD...: "wall cpu" of CMD (GNU time; cpu = user + sys of it and its children)
  gtime() {
    local name=$1
    shift
    "$TIME" -o "$OUT/$name.time" -f '%e %U %S' "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
    awk '{printf "%.3f %.3f\n", $1, $2 + $3}' "$OUT/$name.time"
  }
  local -a run_t run_c rs_t rs_c rss_t cp_t cp_c cap walk lnk cpy man pub syn ver ret
  local i prev w c s line
  for ((i = 1; i <= ROUNDS; i++)); do
    # 1% of the files appended to (new size and mtime), as the app appends to a file
    python3 - "$P/data/uploads" "$FILES" "$folders" "$i" <<'PY'
import os, random, sys
root, n, folders, r = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(100 + r)
for i in rnd.sample(range(n), max(1, n // 100)):
    with open(os.path.join(root, f"{i % folders:03d}", f"file-{i:06d}.bin"), "ab") as f:
        f.write(os.urandom(rnd.randint(16, 1024)))
PY
    prev=$(find "$P/backups/bench-files/daily" -mindepth 1 -maxdepth 1 -name '2*' | sort | tail -n 1)
    sleep 1 # a new snapshot ID
    local order=(run rsync cpal)
    ((i % 3 == 2)) && order=(rsync cpal run)
    ((i % 3 == 0)) && order=(cpal run rsync)
    for what in "${order[@]}"; do
      clean "$prev"
      case $what in
        run)
          read -r w c < <(gtime p2-run "$BACKPLAN" run "$pj" daily --timings)
          run_t+=("$w") run_c+=("$c")
          # the --timings line: "timing: prepare X s, quiesce X s, capture X s (thread time: walk X s, N linked
          # in X s, M copied in X s; T threads), manifest X s, publish X s (syncfs X s), verify X s, retention X s; total X s"
          line=$(grep -o 'timing: .*' "$OUT/p2-run.err")
          cap+=("$(sed -E 's/.* capture ([0-9.]+) s.*/\1/' <<<"$line")")
          walk+=("$(sed -E 's/.*walk ([0-9.]+) s.*/\1/' <<<"$line")")
          lnk+=("$(sed -E 's/.* linked in ([0-9.]+) s.*/\1/' <<<"$line")")
          cpy+=("$(sed -E 's/.* copied in ([0-9.]+) s.*/\1/' <<<"$line")")
          man+=("$(sed -E 's/.* manifest ([0-9.]+) s.*/\1/' <<<"$line")")
          pub+=("$(sed -E 's/.* publish ([0-9.]+) s.*/\1/' <<<"$line")")
          syn+=("$(sed -E 's/.*syncfs ([0-9.]+) s.*/\1/' <<<"$line")")
          ver+=("$(sed -E 's/.* verify ([0-9.]+) s.*/\1/' <<<"$line")")
          ret+=("$(sed -E 's/.* retention ([0-9.]+) s.*/\1/' <<<"$line")")
          ;;
        rsync)
          read -r w c < <(gtime p2-rsync rsync -a --link-dest="$prev/data/uploads" "$P/data/uploads/" "$P/out/rsync/")
          s=$(elapsed sync -f "$P/out")
          rs_t+=("$w") rs_c+=("$c") rss_t+=("$(awk -v a="$w" -v b="$s" 'BEGIN {printf "%.3f", a + b}')")
          ;;
        cpal)
          read -r w c < <(gtime p2-cpal cp -al "$P/data/uploads" "$P/out/cpal")
          cp_t+=("$w") cp_c+=("$c")
          ;;
      esac
    done
    echo "round $i (${order[*]}): run ${run_t[-1]} s (cpu ${run_c[-1]}; $line), rsync ${rs_t[-1]} s (cpu ${rs_c[-1]}; with sync -f ${rss_t[-1]}), cp -al ${cp_t[-1]} s (cpu ${cp_c[-1]}); load $(cut -d' ' -f1 /proc/loadavg)"
  done
  local rt rs rss ct rc rsc cc
  rt=$(median "${run_t[@]}") rs=$(median "${rs_t[@]}") rss=$(median "${rss_t[@]}") ct=$(median "${cp_t[@]}")
  rc=$(median "${run_c[@]}") rsc=$(median "${rs_c[@]}") cc=$(median "${cp_c[@]}")
  {
    echo "### Part 2: second run over $FILES uploads in $folders folders, 1% appended to ($ROUNDS rounds, medians)"
    echo
    echo "| what | wall (s) | cpu user+sys (s) | run / this (wall) | run / this (cpu) |"
    echo "|---|---:|---:|---:|---:|"
    printf '| backplan run (whole run: capture, manifest, publish with syncfs, verify, retention) | %s | %s | 1.00 | 1.00 |\n' "$rt" "$rc"
    printf '| rsync -a --link-dest (same tree, same previous snapshot) | %s | %s | %s | %s |\n' "$rs" "$rsc" "$(ratio "$rt" "$rs")" "$(ratio "$rc" "$rsc")"
    printf '| rsync -a --link-dest, then sync -f (a durable copy) | %s | | %s | |\n' "$rss" "$(ratio "$rt" "$rss")"
    printf '| cp -al (same tree) | %s | %s | %s | %s |\n' "$ct" "$cc" "$(ratio "$rt" "$ct")" "$(ratio "$rc" "$cc")"
    echo
    echo "Steps of the run (\`--timings\`, medians; walk, link and copy are thread time summed over the copier's threads):"
    echo
    echo "| capture | walk | link | copy | manifest | publish | of which syncfs | verify | retention |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n\n' "$(median "${cap[@]}")" "$(median "${walk[@]}")" \
      "$(median "${lnk[@]}")" "$(median "${cpy[@]}")" "$(median "${man[@]}")" "$(median "${pub[@]}")" \
      "$(median "${syn[@]}")" "$(median "${ver[@]}")" "$(median "${ret[@]}")"
  } | tee -a "$OUT/result.md"
  rm -rf "$P"
}

part3() {
  local P=$OUT/p3
  mkdir -p "$P/data/uploads" "$P/state" "$P/guide"
  local big=$((BIG_MIB * 7 / 8)) dbmib=$((BIG_MIB / 8))
  step "Part 3: a ${BIG_MIB} MiB data dir: 300 uploads (${big} MiB) and a ${dbmib} MiB database"
  local each=$((big * 1024 / 300)) k
  for ((k = 0; k < 300; k++)); do
    head -c "$((each * 1024))" /dev/urandom >"$P/data/uploads/big-$k.bin"
  done
  sqlite3 "$P/data/webui.db" <<SQL >/dev/null
PRAGMA journal_mode=WAL;
PRAGMA synchronous=OFF;
CREATE TABLE chat(id INTEGER PRIMARY KEY, body BLOB);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $((dbmib * 256)))
  INSERT INTO chat(body) SELECT randomblob(4000) FROM c;
SQL
  du -sh "$P/data"
  local stamps=$P/stamps pj
  pj=$(plan bench-quiesce "version: 1
name: bench-quiesce
deployment: {data_dir: $P/data, state_dir: $P/state}
sources:
  database: {path: webui.db, kind: sqlite}
  uploads: {path: uploads, kind: files}
targets: {local: {type: local, path: $P/backups}}
jobs:
  cold:
    schedule: \"*-*-* 03:15\"
    targets: [local]
    retention: {keep_last: 100}
    quiesce: {commands: {stop: [\"echo stop \$(date +%s.%N) >> $stamps\"], start: [\"echo start \$(date +%s.%N) >> $stamps\"]}}")
  window() { awk '$1 == "stop" {s = $2} $1 == "start" {e = $2} END {printf "%.3f", e - s}' "$stamps"; }
  # one run: "total window sqlite_capture files_capture" (capture lines timed through stamp)
  onerun() {
    local s=$EPOCHREALTIME e
    : >"$stamps"
    "$BACKPLAN" run "$pj" cold --json 2>"$OUT/p3-run.err" | stamp >"$OUT/p3-run.log"
    e=$EPOCHREALTIME
    printf '%s %s %s\n' "$(awk -v a="$s" -v b="$e" 'BEGIN {printf "%.3f", b - a}')" "$(window)" \
      "$(awk '/capture: source database/ {d = $1} /capture: source uploads/ {u = $1} /capture: done/ {e = $1}
        END {printf "%.3f %.3f", u - d, e - u}' "$OUT/p3-run.log")"
  }
  # the backup guide: stop, cp -a everything, start (the script times itself)
  guide() {
    local s=$EPOCHREALTIME
    echo "stop $(date +%s.%N)" >"$stamps"
    cp -a "$P/data" "$P/guide/data"
    echo "start $(date +%s.%N)" >>"$stamps"
    printf '%s %s\n' "$(awk -v a="$s" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.3f", b - a}')" "$(window)"
  }
  local -a f_t f_w f_db f_up s_t s_w g_t g_w
  local i t w db up
  for ((i = 1; i <= ROUNDS; i++)); do
    local order=(run guide)
    ((i % 2 == 0)) && order=(guide run)
    for what in "${order[@]}"; do
      rm -rf "$P/backups" "$P/guide/data"
      sync
      if [[ $what == run ]]; then
        read -r t w db up < <(onerun)
        f_t+=("$t") f_w+=("$w") f_db+=("$db") f_up+=("$up")
        echo "round $i first run: total $t s, window $w s (database $db s, uploads $up s)"
        sleep 1 # a new snapshot ID
        read -r t w db up < <(onerun)
        s_t+=("$t") s_w+=("$w")
        echo "round $i second run (nothing changed): total $t s, window $w s"
      else
        read -r t w < <(guide)
        g_t+=("$t") g_w+=("$w")
        echo "round $i guide: total $t s, window $w s"
      fi
    done
  done
  {
    echo "### Part 3: quiesce window over a ${BIG_MIB} MiB data dir ($ROUNDS rounds, medians)"
    echo
    echo "| what | window stop -> start (s) | total (s) |"
    echo "|---|---:|---:|"
    printf '| backplan run, first (everything copied; database %s s, uploads %s s) | %s | %s |\n' \
      "$(median "${f_db[@]}")" "$(median "${f_up[@]}")" "$(median "${f_w[@]}")" "$(median "${f_t[@]}")"
    printf '| backplan run, second (uploads unchanged: hard links) | %s | %s |\n' "$(median "${s_w[@]}")" "$(median "${s_t[@]}")"
    printf '| guide: stop; cp -a; start | %s | %s |\n\n' "$(median "${g_w[@]}")" "$(median "${g_t[@]}")"
  } | tee -a "$OUT/result.md"
  rm -rf "$P"
}

for part in $PARTS; do "part$part"; done
step "Results in $OUT/result.md"
