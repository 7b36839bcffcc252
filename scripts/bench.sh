#!/usr/bin/env bash
# Benchmarks `backplan check` on a generated plan of 200 jobs (scripts/gen-bench-plan.py), then
# `compile` and `check` of one of 2,000 jobs.
# Prints a markdown table (header and one row) to paste into docs/benchmarks.md, and also
# hyperfine's table when hyperfine is installed. Files go to bench-out/ (git-ignored).
#   BACKPLAN     binary to measure (default .build/release/backplan; `make bench` builds it)
#   BENCH_RUNS   measured runs (default 20), after BENCH_WARMUP (default 3) unmeasured ones
#   BENCH_JOBS   jobs in the plan (default 200)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BACKPLAN=${BACKPLAN:-.build/release/backplan}
RUNS=${BENCH_RUNS:-20}
WARMUP=${BENCH_WARMUP:-3}
JOBS=${BENCH_JOBS:-200}
OUT=bench-out
PLAN=$OUT/bench.yaml

step() { printf '\n==> %s\n' "$*"; }

if [[ ! -x "$BACKPLAN" ]]; then
  echo "bench: $BACKPLAN not found; build it first (swift build -c release, or make bench)" >&2
  exit 1
fi

mkdir -p "$OUT"
step "Generating $PLAN ($JOBS jobs)"
python3 scripts/gen-bench-plan.py --jobs "$JOBS" >"$PLAN"
echo "$(wc -l <"$PLAN") lines"

step "Compiling it once into $OUT/generated-bench (check compares against it)"
rm -rf "$OUT/generated-bench"
"$BACKPLAN" compile "$PLAN" --generated "$OUT/generated-bench" </dev/null >"$OUT/compile-bench.out" 2>&1

step "One run of: $BACKPLAN check $PLAN --generated $OUT/generated-bench"
status=0
"$BACKPLAN" check "$PLAN" --generated "$OUT/generated-bench" </dev/null >"$OUT/check.out" 2>&1 || status=$?
tail -n 5 "$OUT/check.out"
if ((status != 0)); then
  echo "bench: backplan check exited $status on the generated plan (full output: $OUT/check.out)" >&2
  exit 1
fi

commit=$(git describe --always --dirty --abbrev=7 2>/dev/null || echo unknown)
label="check, $JOBS jobs ($commit, $(date -u +%Y-%m-%d), $(nproc) cores)"

step "Measuring: $RUNS runs after $WARMUP warm-up runs (user+sys and peak RSS from rusage)"
python3 scripts/bench-measure.py --header --runs "$RUNS" --warmup "$WARMUP" --label "$label" \
  -- "$BACKPLAN" check "$PLAN" --generated "$OUT/generated-bench" | tee "$OUT/result.md"

# The same at 2,000 jobs (issue 9: check took 30 s and compile 33 s there, quadratic in the jobs).
LARGE_JOBS=${BENCH_LARGE_JOBS:-2000}
LARGE_RUNS=${BENCH_LARGE_RUNS:-5}
LARGE=$OUT/bench-large.yaml
step "Measuring: compile and check of a $LARGE_JOBS-job plan ($LARGE_RUNS runs each)"
python3 scripts/gen-bench-plan.py --jobs "$LARGE_JOBS" --name bench-large >"$LARGE"
rm -rf "$OUT/generated-large"
python3 scripts/bench-measure.py --runs "$LARGE_RUNS" --warmup 1 \
  --label "compile, $LARGE_JOBS jobs ($commit, $(date -u +%Y-%m-%d), $(nproc) cores)" \
  -- "$BACKPLAN" compile "$LARGE" --generated "$OUT/generated-large" | tee -a "$OUT/result.md"
python3 scripts/bench-measure.py --runs "$LARGE_RUNS" --warmup 1 \
  --label "check, $LARGE_JOBS jobs ($commit, $(date -u +%Y-%m-%d), $(nproc) cores)" \
  -- "$BACKPLAN" check "$LARGE" --generated "$OUT/generated-large" | tee -a "$OUT/result.md"

# compile of every example plan: the first run writes bench-out/generated, the measured runs render
# every file again and compare it with what is on disk (what `compile` and `check` do every time).
plans=(plans/*.yaml)
step "Measuring: $BACKPLAN compile of the ${#plans[@]} example plans ($RUNS runs)"
rm -rf "$OUT/generated"
"$BACKPLAN" compile --generated "$OUT/generated" </dev/null >"$OUT/compile.out" 2>&1
python3 scripts/bench-measure.py --runs "$RUNS" --warmup "$WARMUP" \
  --label "compile, ${#plans[@]} example plans ($commit, $(date -u +%Y-%m-%d), $(nproc) cores)" \
  -- "$BACKPLAN" compile --generated "$OUT/generated" | tee -a "$OUT/result.md"

if command -v hyperfine >/dev/null; then
  step "hyperfine (wall time)"
  hyperfine --shell=none --warmup "$WARMUP" --runs "$RUNS" --style basic \
    --export-markdown "$OUT/hyperfine.md" "$BACKPLAN check $PLAN --generated $OUT/generated-bench"
  cat "$OUT/hyperfine.md"
else
  step "hyperfine not installed; skipped"
fi

step "Results are in $OUT/ (result.md is the row for docs/benchmarks.md)"
