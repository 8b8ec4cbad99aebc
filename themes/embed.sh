#!/usr/bin/env bash
# Embeds the built-in themes in the binary: regenerates
# Sources/VigilApp/Theme/BuiltinThemeFiles.swift from themes/*.yaml. Run it after editing a
# theme; a test (BuiltinThemeFilesTests) fails while the two differ.
set -euo pipefail
# The order `t` cycles through; dark (the default) first.
exec "$(dirname "$0")/../scripts/embed-yaml.sh" themes Sources/VigilApp/Theme/BuiltinThemeFiles.swift \
  ThemeLoader "The built-in themes' files, in the order \`t\` cycles through them." \
  BuiltinThemeFilesTests dark light high-contrast solarized-dark gruvbox-dark nord monochrome
