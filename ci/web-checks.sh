#!/usr/bin/env bash
# Checks of the browser app (web/): installs what they need (npm ci in web/, Debian's chromium
# when /usr/bin/chromium is missing), then type-check, unit tests (Vitest), the production build,
# generated client code up to date with proto/, and the end-to-end test in headless Chromium
# against the real system (which writes docs/screenshots/). Prints each step; exits non-zero if
# any fails. Honours CARGO_TARGET_DIR for the cargo build the e2e test does.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WEB="$ROOT/web"
START=$SECONDS
results=()
failed=0

section() { printf '\n== %s\n' "$*"; }
run_check() { # name, command...
  local name="$1" began=$SECONDS
  shift
  section "$name"
  if "$@"; then
    results+=("$(printf 'ok   %-34s %4ss' "$name" $((SECONDS - began)))")
  else
    results+=("$(printf 'FAIL %-34s %4ss' "$name" $((SECONDS - began)))")
    failed=1
  fi
}

# ---------------------------------------------------------------- tools
section "tools"
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium (Debian) with apt-get"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) >/dev/null \
      || { echo "apt-get install chromium failed"; exit 2; }
  else
    echo "/usr/bin/chromium is missing and cannot be installed here (needs root and apt-get)"; exit 2
  fi
fi
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null)"
if [ ! -d "$WEB/node_modules" ] || [ "$WEB/package-lock.json" -nt "$WEB/node_modules/.package-lock.json" ]; then
  echo "npm ci in web/"
  (cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed"; exit 2; }
fi
echo "node $(node --version), npm packages in web/node_modules"
export PATH="$WEB/node_modules/.bin:$PATH"

# ---------------------------------------------------------------- checks
cd "$WEB"

generated_code_is_current() {
  local fresh
  fresh="$(mktemp -d)"
  # Same template, output under a temp dir: src/gen must match it byte for byte.
  buf generate --template buf.gen.yaml -o "$fresh" || { rm -rf "$fresh"; return 1; }
  if diff -ru src/gen "$fresh/src/gen"; then
    echo "src/gen matches proto/"
    rm -rf "$fresh"
  else
    echo "src/gen is stale: run 'npm run generate' in web/ and commit the result"
    rm -rf "$fresh"
    return 1
  fi
}

run_check "type-check (tsc)" npm run --silent typecheck
run_check "unit tests (vitest)" npx vitest run
run_check "production build (vite)" npx vite build
run_check "generated client code is current" generated_code_is_current
if [ -f "$WEB/dist/index.html" ]; then
  run_check "end to end (chromium)" node e2e/run.mjs
else
  results+=("FAIL end to end (chromium): no web/dist to serve")
  failed=1
fi

# ---------------------------------------------------------------- summary
section "summary ($((SECONDS - START)) s)"
printf '%s\n' "${results[@]}"
if [ "$failed" -ne 0 ]; then
  echo "web checks FAILED"
  exit 1
fi
echo "web checks passed"
