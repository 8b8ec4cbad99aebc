#!/usr/bin/env bash
# Fuzz/run.sh [SECONDS] [TARGET...]: builds vigil-fuzz with libFuzzer and AddressSanitizer
# (its own build directory, .build-fuzz) and fuzzes each target (all by default) for SECONDS
# (default 600), starting from its committed seeds in Fuzz/corpus/TARGET. New inputs go to a
# scratch corpus in .build-fuzz/corpus (the committed corpus stays small); crashers go to
# Fuzz/crashes/ (gitignored). Exits non-zero when any target crashed.
# Reproduce a crasher with the normal build: swift run vigil-fuzz TARGET Fuzz/crashes/FILE
set -uo pipefail
cd "$(dirname "$0")/.."

secs="${1:-600}"
shift || true
rt=$(dirname "$(dirname "$(command -v swiftc)")")/lib/clang
fuzzer_lib=$(find "$rt" -name 'libclang_rt.fuzzer_no_main-x86_64.a' -o -name 'libclang_rt.fuzzer_no_main.a' 2>/dev/null | head -1)
if [ -z "$fuzzer_lib" ]; then echo "libFuzzer (libclang_rt.fuzzer_no_main) not found under $rt"; exit 1; fi

bin=.build-fuzz/debug/vigil-fuzz
if [ -z "${VIGIL_FUZZ_SKIP_BUILD:-}" ]; then
  echo "== build vigil-fuzz (libFuzzer + ASan)"
  # The target has its own main (it calls LLVMFuzzerRunDriver), so it links libFuzzer without
  # libFuzzer's main: coverage via -sanitize-coverage, as -sanitize=fuzzer would set it.
  swift build --scratch-path .build-fuzz --product vigil-fuzz \
    -Xswiftc -DVIGIL_FUZZ -Xswiftc -sanitize=address \
    -Xswiftc -sanitize-coverage=edge,indirect-calls,trace-cmp,inline-8bit-counters,pc-table \
    -Xlinker "$fuzzer_lib" -Xlinker -lstdc++ 2>&1 | grep -v "Cannot export local symbol"
  if [ "${PIPESTATUS[0]}" -ne 0 ] || [ ! -x "$bin" ]; then echo "build failed"; exit 1; fi
fi

if [ $# -eq 0 ]; then set -- $(ls Fuzz/corpus); fi
mkdir -p Fuzz/crashes .build-fuzz/logs
export SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
failed=()
for t in "$@"; do
  max_len=$("$bin" --list | awk -v t="$t" '$1==t{print $2}')
  max_len="${max_len:-4096}"
  scratch=.build-fuzz/corpus/$t
  mkdir -p "$scratch" "Fuzz/corpus/$t"
  log=.build-fuzz/logs/$t.log
  echo "== fuzz $t for ${secs}s (max_len $max_len)"
  VIGIL_FUZZ_TARGET=$t "$bin" -max_total_time="$secs" -max_len="$max_len" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="Fuzz/crashes/$t-" \
    "$scratch" "Fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  stats=$(grep -aE '^stat::number_of_executed_units|^stat::new_units_added' "$log" | awk '{print $2}' | paste -sd' ')
  cov=$(grep -aoE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
  echo "   exit $rc; executions, new units: $stats; $cov"
  if [ $rc -ne 0 ]; then
    failed+=("$t")
    grep -aE 'fuzz invariant|Fatal error|ERROR: AddressSanitizer|SUMMARY|Test unit written' "$log" | head -8
  fi
done
if [ ${#failed[@]} -gt 0 ]; then echo "fuzzing crashed: ${failed[*]} (logs in .build-fuzz/logs, inputs in Fuzz/crashes)"; exit 1; fi
echo "fuzzing: no crash"
