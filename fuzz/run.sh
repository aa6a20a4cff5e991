#!/usr/bin/env bash
# Runs the libFuzzer harnesses (fuzz/fuzz_*.cpp, built by the `fuzz` preset: ASan + UBSan).
#   fuzz/run.sh [--no-merge] [SECONDS] [NAME...]
# SECONDS per harness (default 600); NAMEs without the fuzz_ prefix (default: all).
# New inputs go to build/fuzz/corpus/<name>; afterwards the ones that add coverage are merged
# into the committed seeds, fuzz/corpus/<name> (--no-merge: not, as in the test command).
# A crash, leak, timeout or sanitizer report fails the run; the input is kept as
# build/fuzz/artifacts/<name>-crash-… and the command that replays it is printed.
# Prints one line per harness: executions, new corpus entries, time.
set -euo pipefail
cd "$(dirname "$0")/.."
merge=1
if [ "${1:-}" = --no-merge ]; then
    merge=0
    shift
fi
seconds=${1:-600}
shift || true
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for f in fuzz/fuzz_*.cpp; do
        n=${f#fuzz/fuzz_}
        names+=("${n%.cpp}")
    done
fi
[ -x build/fuzz/fuzz/fuzz_"${names[0]}" ] || {
    cmake --preset fuzz >/dev/null
    cmake --build --preset fuzz
}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for name in "${names[@]}"; do
    bin=build/fuzz/fuzz/fuzz_$name seeds=fuzz/corpus/$name work=build/fuzz/corpus/$name
    art=build/fuzz/artifacts
    [ -x "$bin" ] || { echo "fuzz/run.sh: no harness $bin" >&2; exit 2; }
    mkdir -p "$work" "$art" "$seeds"
    dict=()
    [ -f "fuzz/dict/$name.dict" ] && dict=(-dict="fuzz/dict/$name.dict")
    log=build/fuzz/$name.log
    start=$(date +%s)
    # New inputs land in the first folder; the committed seeds are only read.
    if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix="$art/$name-" "${dict[@]}" \
        "$work" "$seeds" >"$log" 2>&1; then
        status=ok
    else
        status=FAILED
        failed+=("$name")
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    new=$(find "$work" -type f | wc -l)
    printf 'fuzz %-14s %-6s %9s executions  %5s new inputs  %4ss\n' "$name" "$status" \
        "${execs:-?}" "$new" "$(($(date +%s) - start))"
    if [ "$status" = FAILED ]; then
        grep -E '^(==[0-9]+==|SUMMARY|.*runtime error|artifact_prefix|Test unit written)' "$log" | head -n 20 >&2 || true
        tail -n 30 "$log" >&2
        for a in "$art/$name"-*; do
            [ -e "$a" ] && echo "  replay: $bin $a" >&2
        done
    elif [ "$merge" = 1 ] && [ "$new" -gt 0 ]; then
        "$bin" -merge=1 "$seeds" "$work" >>"$log" 2>&1
        echo "  merged into $seeds: $(find "$seeds" -type f | wc -l) inputs"
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz/run.sh: failed: ${failed[*]} (logs: build/fuzz/<name>.log)" >&2
    exit 1
fi
