#!/usr/bin/env bash
# Two training processes sharing the cores (issue 17): the DS2 Flow-3 teacher training step of `icaloflow bench
# flow`, run alone, then two at once, under each OpenMP wait policy given (default: the engine's own, libgomp
# spinning long before it sleeps; PASSIVE; and spin=3000, what bin/icaloflow sets unless the caller sets one), plus
# the student's sampling at batch 1 and 100 alone (what a short spin could cost). Prints one line per run; run it on an
# otherwise idle machine:
#   bash bench/contention.sh [THREADS] [POLICIES...]      e.g. bash bench/contention.sh 2 engine PASSIVE spin=10000
# (a policy is engine, PASSIVE, ACTIVE, or spin=N: libgomp's GOMP_SPINCOUNT=N with the engine's policy)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
threads=${1:-2}
shift || true
policies=("$@")
[ ${#policies[@]} -gt 0 ] || policies=(engine PASSIVE spin=3000)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bench() {   # policy, output file
  local policy=$1 out=$2
  if [ "${policy#spin=}" != "$policy" ]; then
    # "spin=N": the engine's policy with libgomp spinning N times before a thread sleeps
    env -u OMP_WAIT_POLICY GOMP_SPINCOUNT="${policy#spin=}" "$root/bin/icaloflow" bench flow \
      --threads "$threads" --steps 5 --batch-sizes 1,100 --sample-repeats 5 --skip-teacher-sampling >"$out" 2>&1
  elif [ "$policy" = engine ]; then
    # "engine": what libtorch's OpenMP does by itself (libgomp spins before it sleeps)
    env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT ICALOFLOW_GOMP_SPINCOUNT=engine "$root/bin/icaloflow" bench flow --threads "$threads" --steps 5 \
      --batch-sizes 1,100 --sample-repeats 5 --skip-teacher-sampling >"$out" 2>&1
  else
    env -u GOMP_SPINCOUNT OMP_WAIT_POLICY=$policy "$root/bin/icaloflow" bench flow --threads "$threads" --steps 5 \
      --batch-sizes 1,100 --sample-repeats 5 --skip-teacher-sampling >"$out" 2>&1
  fi
}
step() { grep -o 'batch [0-9]*: [0-9.]* ms/step' "$1" | awk '{print $3}'; }
per() { grep "sampling student IAF, batch *$2:" "$1" | awk '{print $(NF-3)}'; }

echo "threads per process: $threads; $(nproc) cores; $(date -u +%F)"
printf '%-12s %14s %14s %14s %10s %12s %12s\n' policy "alone ms/step" "two: A" "two: B" "share" "b1 ms/smp" "b100 ms/smp"
for p in "${policies[@]}"; do
  bench "$p" "$tmp/alone"
  bench "$p" "$tmp/a" & pa=$!
  bench "$p" "$tmp/b" & pb=$!
  wait $pa $pb
  s=$(step "$tmp/alone"); a=$(step "$tmp/a"); b=$(step "$tmp/b")
  share=$(awk -v s="$s" -v a="$a" -v b="$b" 'BEGIN { printf "%.0f %%", 100 * s / ((a + b) / 2) }')
  printf '%-12s %14s %14s %14s %10s %12s %12s\n' "$p" "$s" "$a" "$b" "$share" "$(per "$tmp/alone" 1)" "$(per "$tmp/alone" 100)"
done
