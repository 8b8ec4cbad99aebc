#!/usr/bin/env bash
# Rebuilds the committed sample feeds from the seeded demo generator. Same flags, same bytes:
# the test suite checks that these files match the generator's output.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product vigil >/dev/null
bin=.build/debug/vigil
# Minutes 5 to 7 of the incident (payment gateway slowing, retries climbing) at a twentieth of the
# demo's rate, in each format.
for f in json csv logfmt influx; do
  ext=$f; [ "$f" = json ] && ext=jsonl
  "$bin" generate --format "$f" --seed 42 --from 5m --duration 2m --rate-scale 0.05 > "sample-feeds/incident.$ext"
done
