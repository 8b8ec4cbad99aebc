#!/usr/bin/env bash
# Embeds the built-in layouts in the binary: regenerates
# Sources/VigilApp/Layout/BuiltinLayoutFiles.swift from layouts/*.yaml. Run it after editing a
# layout; a test (LayoutLoaderTests) fails while the two differ.
set -euo pipefail
# commerce (the default) first.
exec "$(dirname "$0")/../scripts/embed-yaml.sh" layouts Sources/VigilApp/Layout/BuiltinLayoutFiles.swift \
  LayoutLoader "The built-in layouts' files, the default first." \
  LayoutLoaderTests commerce sre-compact payments
