#!/usr/bin/env bash
# Checks of the scheduler that need tools beyond cargo: the cron differential test (libs/cron
# against PyPI croniter and npm aws-cron-parser) and scheduler-service's EventBridge tests against
# moto in server mode. Installs its own tools (npm ci into ci/scheduler/node_modules, a Python
# venv with croniter and moto[server] in the user cache); idempotent; exits non-zero if any check
# fails.
#
#   bash ci/scheduler-checks.sh          tools, differential test, EventBridge tests
#   bash ci/scheduler-checks.sh tools    only install the tools; prints MOTO_SERVER=<path>
#
# scheduler-service's tests find moto_server through $MOTO_SERVER, then PATH, then this venv.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DIR="ci/scheduler"
TOOLS="${SCHEDULER_CHECKS_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/alert-system-scheduler-checks}"
VENV="$TOOLS/venv"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SEED="${CRON_DIFFERENTIAL_SEED:-20261127}"
START=$SECONDS

results=()
failed=0
section() { printf '\n== %s\n' "$*"; }
record() { # name, status
  results+=("$(printf '%-4s %s' "$2" "$1")")
  [ "$2" = ok ] || failed=1
}
run_check() { # name, command...
  local name="$1"; shift
  section "$name"
  if "$@"; then record "$name" ok; else record "$name" FAIL; fi
}

# ---------------------------------------------------------------- tools
section "tools"
if [ ! -d "$DIR/node_modules/aws-cron-parser" ] \
  || [ "$DIR/package-lock.json" -nt "$DIR/node_modules/.package-lock.json" ]; then
  (cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed"; exit 2; }
fi
echo "npm: aws-cron-parser in $DIR/node_modules"

stamp="$VENV/.tools-$(sha256sum "$DIR/requirements.txt" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  python3 -m venv "$VENV" || { echo "python3 -m venv failed"; exit 2; }
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$DIR/requirements.txt" \
    || { echo "pip install failed"; exit 2; }
  touch "$stamp"
fi
echo "pip: $(grep -v '^#' "$DIR/requirements.txt" | xargs) in $VENV"
export MOTO_SERVER="${MOTO_SERVER:-$VENV/bin/moto_server}"
if [ "${1:-}" = tools ]; then
  echo "MOTO_SERVER=$MOTO_SERVER"
  exit 0
fi

# ---------------------------------------------------------------- checks
check_cron_differential() {
  echo "libs/cron vs croniter (unix form) vs aws-cron-parser (EventBridge form), seed $SEED"
  cargo build --quiet --locked -p alert-cron --example next_fires || return 1
  "$VENV/bin/python" "$DIR/cron_differential.py" --seed "$SEED" --count 1000 --fires 20 \
    --ours "$CARGO_TARGET_DIR/debug/examples/next_fires"
}
check_eventbridge_tests() {
  echo "scheduler-service tests against moto_server ($MOTO_SERVER)"
  cargo test --quiet --locked -p scheduler-service --test api eventbridge
}

run_check "cron differential test" check_cron_differential
run_check "scheduler-service EventBridge tests (moto)" check_eventbridge_tests

section "summary ($((SECONDS - START))s)"
printf '%s\n' "${results[@]}"
exit "$failed"
