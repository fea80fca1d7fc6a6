#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz/ and runs
# each for FUZZ_RUNS executions or FUZZ_SECONDS, whichever comes first. The working
# corpus starts from fuzz/corpus/<target> plus, when present, real files of the
# shared data folder (never committed). Crashes land in build-fuzz/crashes/<target>/.
# Prints one line per target: executions, seconds, corpus size, result.
#   FUZZ_RUNS=1000000 FUZZ_SECONDS=600 FUZZ_TARGETS="manifest config" tools/run-fuzzers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_FUZZ:-build-fuzz}
RUNS=${FUZZ_RUNS:-1000000}
SECONDS_MAX=${FUZZ_SECONDS:-600}
DATA=${ECGTORCH_DATA_DIR:-../shared/data}
TARGETS=${FUZZ_TARGETS:-"wfdb_header wfdb_signal mit_annotations config manifest kaggle_csv ground_truth extract model_io page_reader"}

if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DECGTORCH_FUZZ=ON -DECGTORCH_BUILD_TESTS=OFF -DECGTORCH_BUILD_BENCH=OFF -DECGTORCH_PCH=OFF
fi
cmake --build "$BUILD" --target $(for t in $TARGETS; do printf '%s_fuzz ' "$t"; done)

seed_from_data() {  # target, find expression...
  local t=$1; shift
  [ -d "$DATA" ] || return 0
  find "$DATA" -type f "$@" -size -2M -exec cp {} "$BUILD/corpus/$t/" \; 2>/dev/null || true
}

printf '| target | executions | seconds | corpus | result |\n| --- | --- | --- | --- | --- |\n' > "$BUILD/fuzz-results.md"
status=0
for t in $TARGETS; do
  mkdir -p "$BUILD/corpus/$t" "$BUILD/crashes/$t"
  cp fuzz/corpus/"$t"/* "$BUILD/corpus/$t/" 2>/dev/null || true
  case $t in
    wfdb_header) seed_from_data "$t" -name '*.hea' ;;
    mit_annotations) seed_from_data "$t" \( -name '*.atr' -o -name '1.*' \) ;;
    kaggle_csv) seed_from_data "$t" -name '*.csv' ;;
    ground_truth) seed_from_data "$t" -name '*.json' ;;
    manifest) seed_from_data "$t" -name 'SHA256SUMS*' ;;
  esac
  max_len=65536
  [ "$t" = page_reader ] && max_len=262144  # whole (small) page images
  log="$BUILD/fuzz-$t.log"
  start=$(date +%s)
  set +e
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$BUILD/fuzz/${t}_fuzz" "$BUILD/corpus/$t" -runs="$RUNS" -max_total_time="$SECONDS_MAX" -max_len="$max_len" \
    -timeout=10 -rss_limit_mb=4096 -artifact_prefix="$BUILD/crashes/$t/" -print_final_stats=1 > "$log" 2>&1
  rc=$?
  set -e
  took=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  corpus=$(ls "$BUILD/corpus/$t" | wc -l)
  result=$([ $rc -eq 0 ] && echo "clean" || echo "FAILED (rc $rc, see $log)")
  [ $rc -eq 0 ] || status=1
  printf '| %s | %s | %s | %s | %s |\n' "$t" "$execs" "$took" "$corpus" "$result" | tee -a "$BUILD/fuzz-results.md"
done
echo "results: $BUILD/fuzz-results.md"
exit $status
