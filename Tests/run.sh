#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need, checks formatting,
# builds with warnings as errors, then runs every test (unit, snapshot, end-to-end under tmux).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
# A real Prometheus for the HTTP API, scrape and history-replay tests (they fail, not skip,
# without it); promtool, from the same package, backfills the replayed incident.
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || need_apt+=(prometheus)
# The report's browser test (Tests/VigilEndToEndTests/ReportEndToEndTests.swift).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
# A real Alertmanager for alert delivery (Tests/VigilEndToEndTests/AlertmanagerEndToEndTests.swift).
command -v prometheus-alertmanager >/dev/null 2>&1 || need_apt+=(prometheus-alertmanager)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# The OpenTelemetry Python SDK for the OTLP tests (Tests/VigilEndToEndTests/OTLPEndToEndTests.swift),
# in a virtual environment of its own. These versions resolve together; the newest proto
# exporter does not resolve with the JSON one.
otel=(opentelemetry-sdk==1.45.1 opentelemetry-exporter-otlp-proto-http==1.45.1 opentelemetry-exporter-otlp-json-http==0.66b1)
if ! .venv-otel/bin/python -c 'import opentelemetry.exporter.otlp.proto.http, opentelemetry.exporter.otlp.json.http' >/dev/null 2>&1; then
  echo "installing: ${otel[*]} (into .venv-otel)"
  python3 -m venv .venv-otel
  .venv-otel/bin/pip install -q "${otel[@]}"
fi
export VIGIL_OTEL_PYTHON="$PWD/.venv-otel/bin/python"

echo "== format"
swift format lint --strict --recursive Package.swift Sources Tests sample-feeds/generator

echo "== house rules"
# Time is injected: only the clock types read it (ARCHITECTURE §6).
bad=$(grep -rlE --include='*.swift' 'clock_gettime|Date\(\)|ContinuousClock\.now' Sources | grep -v '^Sources/VigilCore/Clock/' || true)
if [ -n "$bad" ]; then echo "the clock is read outside Sources/VigilCore/Clock: $bad"; exit 1; fi
# The app core is pure: no libc, no files, no zlib (README, Architecture). Only the incident
# module (recordings) and VigilNet (gzip HTTP bodies) link zlib; only VigilCore's
# Config/YAMLTree.swift sees Yams.
bad=$(grep -rlE --include='*.swift' '^ *import +(Glibc|Darwin|CZlib|Foundation)' Sources/VigilApp || true)
if [ -n "$bad" ]; then echo "VigilApp imports libc, zlib or Foundation: $bad"; exit 1; fi
bad=$(grep -rlE --include='*.swift' '^ *import +CZlib' Sources | grep -vE '^Sources/(VigilIncident|VigilNet)/' || true)
if [ -n "$bad" ]; then echo "zlib is imported outside Sources/VigilIncident and Sources/VigilNet: $bad"; exit 1; fi
bad=$(grep -rlE --include='*.swift' '^ *import +Yams' Sources | grep -v '^Sources/VigilCore/Config/YAMLTree.swift$' || true)
if [ -n "$bad" ]; then echo "Yams is imported outside Sources/VigilCore/Config/YAMLTree.swift: $bad"; exit 1; fi

echo "== build (warnings are errors)"
flags=(-Xswiftc -warnings-as-errors)
swift build "${flags[@]}" --build-tests --explicit-target-dependency-import-check error

echo "== test"
export SWIFT_BACKTRACE=interactive=no
export VIGIL_BIN="$PWD/.build/debug/vigil"
swift test "${flags[@]}" --skip-build 2>&1 | tee /tmp/vigil-test-$$.log
grep -qE "Test run with [0-9]+ tests? .*passed" /tmp/vigil-test-$$.log

echo "== fuzz (a short pass per target; Fuzz/run.sh 600 for the long runs)"
bash Fuzz/run.sh "${VIGIL_FUZZ_SECONDS:-12}"
