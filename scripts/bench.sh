#!/usr/bin/env bash
# Whole-process benchmark: `vjc compile` into a fresh directory beside the
# floor (the same files made by `cat` of the input, `cp -r` of vjc's output
# tree and `mv` into place), and `vjc check`, on generated labs
# (examples/gen.rs) of 1,000, 10,000 and 100,000 jails. Prints a Markdown
# table; BENCHMARKS.md shows one from this machine.
#
#   scripts/bench.sh                  # all sizes
#   SIZES="1000 10000" scripts/bench.sh
#   RUNS=5 scripts/bench.sh           # runs per compile and floor figure (default 3)
#   CHECK_RUNS=20 scripts/bench.sh    # runs per check figure (default 11: a check is
#                                     # short, and a neighbour's load moves it most)
#   WORK=/some/dir scripts/bench.sh   # where labs and trees go (default: a new temp dir)
#
# Times come from hyperfine when it is installed (apt-get install -y
# hyperfine), else from /usr/bin/time; peak RSS from /usr/bin/time -v.
#
# Fairness on ext4: vjc and the floor run alternately (vjc, floor, vjc, …),
# each into a directory of its own that is kept until the script ends, and
# sync(1) runs before each run, untimed. Deleting a large tree between runs
# would make the next run slower, whichever it is: ext4 skips the inodes
# it deleted in the last minutes when it allocates new ones
# (fs/ext4/ialloc.c, recently_deleted), and each run here makes up to
# 200,000 of them. So the trees stay in WORK (2.5 GB for 100,000 jails)
# and are deleted at the end; KEEP=1 keeps them.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 10000 100000"}
RUNS=${RUNS:-3}
CHECK_RUNS=${CHECK_RUNS:-11}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/vjc-bench.XXXXXX")}
mkdir -p "$WORK"

[ -x /usr/bin/time ] || { echo "bench.sh: /usr/bin/time is needed (apt-get install -y time)" >&2; exit 2; }
cargo build --quiet --release --bin vjc --example gen
VJC=$PWD/target/release/vjc
GEN=$PWD/target/release/examples/gen
have_hyperfine=$(command -v hyperfine >/dev/null 2>&1 && echo yes || echo no)

# seconds COMMAND: the wall time of one run of COMMAND, after a sync.
seconds() {
    sync
    if [ "$have_hyperfine" = yes ]; then
        hyperfine -N --style none --runs 1 --export-json "$WORK/run.json" "$1" >/dev/null 2>&1
        python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' \
            "$WORK/run.json"
    else
        /usr/bin/time -f %e -o "$WORK/time.txt" sh -c "$1" >/dev/null 2>&1
        tail -n 1 "$WORK/time.txt"
    fi
}

# median T...: the median of the times, to the millisecond. A median, not a
# mean: on a machine shared with other jobs, one run in ten can take a
# neighbour's burst of load, and a mean of few runs follows it.
median() {
    printf '%s\n' "$@" | sort -g | awk '{t[NR] = $1} END {
        printf "%.3f", NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}

# rss COMMAND: peak resident set size of one run, in MB.
rss() {
    /usr/bin/time -v -o "$WORK/rss.txt" sh -c "exec $1" >/dev/null 2>&1
    awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$WORK/rss.txt"
}

echo "vjc whole-process benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, medians of $RUNS runs per compile and floor figure and $CHECK_RUNS per check figure (hyperfine: $have_hyperfine)"
echo
echo "| jails | output files | output bytes | vjc compile | floor: cat + cp -r + mv | ratio | compile peak RSS | vjc check | check peak RSS |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
scaling=
prev_check=
prev_n=
for n in $SIZES; do
    lab=$WORK/lab$n.vj
    "$GEN" "$n" >"$lab"
    # vjc check first, before this size's trees are written: the kernel
    # is still settling their writes for a while after sync(1) returns,
    # on the same two cores.
    check=()
    for _ in $(seq "$CHECK_RUNS"); do
        check+=("$(seconds "$VJC check $lab")")
    done
    check_rss=$(rss "$VJC check $lab")
    # The tree the floor copies: vjc's own output (manifest included).
    ref=$WORK/ref$n
    "$VJC" compile "$lab" -o "$ref" >/dev/null
    files=$(find "$ref" -type f | wc -l)
    bytes=$(find "$ref" -type f -printf '%s\n' | awk '{s += $1} END {print s}')

    compile=() floor=()
    for k in $(seq "$RUNS"); do
        compile+=("$(seconds "$VJC compile $lab -o $WORK/out$n-$k")")
        mkdir "$WORK/dst$n-$k"
        floor+=("$(seconds "sh -c 'cat $lab >/dev/null && cp -r $ref $WORK/dst$n-$k/.stage && mv $WORK/dst$n-$k/.stage $WORK/dst$n-$k/out'")")
    done
    compile_rss=$(rss "$VJC compile $lab -o $WORK/out$n-rss")

    c=$(median "${compile[@]}")
    f=$(median "${floor[@]}")
    k=$(median "${check[@]}")
    ratio=$(awk -v a="$c" -v b="$f" 'BEGIN {printf "%.2f", a / b}')
    echo "| $n | $files | $bytes | $c s | $f s | ${ratio}× | $compile_rss MB | $k s | $check_rss MB |"
    if [ -n "$prev_check" ]; then
        scaling="$scaling check($n) / check($prev_n) = $(awk -v a="$k" -v b="$prev_check" 'BEGIN {printf "%.1f", a / b}');"
    fi
    prev_check=$k
    prev_n=$n
done
echo
echo "Scaling:${scaling:- one size only}"
if [ "${KEEP:-}" = 1 ]; then
    echo "Labs and trees kept in $WORK"
else
    rm -rf "$WORK"
fi
