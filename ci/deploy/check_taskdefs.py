#!/usr/bin/env python3
"""ecs/<service>.json are valid task definitions for this stack.

Renders each template with render_taskdef.py using exactly the variable names Terraform provides
(the render_vars map in infra/terraform/modules/ecs/main.tf, plus IMAGE), then checks what the
deployment guide promises: Fargate/awsvpc, task CPU and memory, awslogs, secrets from SSM, a
container health check through the binary, a read-only root filesystem, a non-root user, a stop
timeout longer than the ALB's deregistration delay (the gateway's drain) and within Fargate's
120 s limit, and the port names Service Connect publishes.

Beside the service runs one more container, the otel-collector sidecar (decision 6): the same in
every template, a pinned image, not essential, read-only, non-root, its own log stream, its
configuration (ecs/otel-collector.yaml) from the SSM parameter Terraform writes, and every
environment variable that configuration reads. The service sends its metrics to the collector's
OTLP port and starts once the collector has started, without waiting for it to be healthy.
"""

import json
import re
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from render_taskdef import placeholders, render  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PORTS = {"gateway": 8080, "alert-service": 50051, "scheduler-service": 50052, "notifier-service": 50053}
SSM_PREFIX_ARN = "arn:aws:ssm:ap-northeast-2:123456789012:parameter/alert-system/prod"

COLLECTOR = "otel-collector"
COLLECTOR_IMAGE = re.compile(r"^public\.ecr\.aws/aws-observability/aws-otel-collector:v\d+\.\d+\.\d+$")
COLLECTOR_CONFIG = ROOT / "ecs/otel-collector.yaml"
# The SSM parameter Terraform writes the configuration to (infra/terraform/modules/ecs/metrics.tf).
COLLECTOR_CONFIG_PARAMETER = "otel-collector-config"
ENV_REFERENCE = re.compile(r"\$\{env:([A-Z_][A-Z0-9_]*)\}")


def terraform_render_vars() -> set[str]:
    text = (ROOT / "infra/terraform/modules/ecs/main.tf").read_text(encoding="utf-8")
    block = re.search(r"render_vars = \{.*?=> \{(.*?)\n    \}", text, re.S)
    if not block:
        raise SystemExit("  FAIL cannot find render_vars in infra/terraform/modules/ecs/main.tf")
    return set(re.findall(r"^\s*([A-Z][A-Z0-9_]*)\s*=", block.group(1), re.M)) | {"IMAGE"}


def deregistration_delay() -> int:
    text = (ROOT / "infra/terraform/modules/alb/main.tf").read_text(encoding="utf-8")
    match = re.search(r"deregistration_delay\s*=\s*(\d+)", text)
    return int(match.group(1)) if match else 300


def strings_in(value) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return [value] if isinstance(value, str) else []


def collector_config() -> tuple[str, set[str]]:
    """The OTLP/gRPC endpoint the collector listens on, and the environment variables it reads."""
    config = yaml.safe_load(COLLECTOR_CONFIG.read_text(encoding="utf-8"))
    endpoint = config["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"]
    return endpoint, {name for s in strings_in(config) for name in ENV_REFERENCE.findall(s)}


def terraform_writes_collector_config() -> bool:
    text = (ROOT / "infra/terraform/modules/ecs/metrics.tf").read_text(encoding="utf-8")
    return (
        f'"${{var.ssm_prefix}}/{COLLECTOR_CONFIG_PARAMETER}"' in text
        and 'file("${var.templates_dir}/otel-collector.yaml")' in text
    )


def check_collector(c: dict, task_memory: int, config_env: set[str], fail) -> None:
    """The sidecar: the metrics path, which must never stop or slow the service."""
    if not COLLECTOR_IMAGE.match(c.get("image", "")):
        fail(f"{COLLECTOR} image {c.get('image')} is not aws-otel-collector pinned to a vX.Y.Z tag")
    if c.get("essential") is not False:
        fail(f"{COLLECTOR} must be essential=false: a collector failure must not stop the task")
    if c.get("readonlyRootFilesystem") is not True:
        fail(f"{COLLECTOR} root filesystem is not read-only")
    if str(c.get("user", "")).split(":")[0] in ("", "0", "root"):
        fail(f"{COLLECTOR} runs as root")
    if c.get("portMappings"):
        fail(f"{COLLECTOR} must not publish ports: only its own task sends to it, over localhost")
    if c.get("healthCheck", {}).get("command") != ["CMD", "/healthcheck"]:
        fail(f"{COLLECTOR} healthCheck is not the image's /healthcheck")
    memory = c.get("memory")
    if not isinstance(memory, int) or memory >= task_memory // 2:
        fail(f"{COLLECTOR} needs a hard memory limit well below the task's {task_memory} MiB, got {memory}")
    log = c.get("logConfiguration", {})
    if log.get("logDriver") != "awslogs" or log.get("options", {}).get("awslogs-stream-prefix") != COLLECTOR:
        fail(f"{COLLECTOR} logs are not awslogs with the stream prefix {COLLECTOR}")
    expected = [{"name": "AOT_CONFIG_CONTENT", "valueFrom": f"{SSM_PREFIX_ARN}/{COLLECTOR_CONFIG_PARAMETER}"}]
    if c.get("secrets") != expected:
        fail(f"{COLLECTOR} must read its configuration as AOT_CONFIG_CONTENT from ${{SSM_PREFIX_ARN}}/{COLLECTOR_CONFIG_PARAMETER}")
    env = {e["name"] for e in c.get("environment", [])}
    missing = sorted(config_env - env)
    if missing:
        fail(f"{COLLECTOR} lacks {', '.join(missing)}, which ecs/otel-collector.yaml reads")


def main() -> int:
    provided = terraform_render_vars()
    drain = deregistration_delay()
    failures: list[str] = []
    collector_endpoint, collector_env = collector_config()
    collector_port = collector_endpoint.rsplit(":", 1)[-1]
    otlp_endpoint = f"http://localhost:{collector_port}"
    if not terraform_writes_collector_config():
        failures.append(f"infra/terraform/modules/ecs/metrics.tf does not write ecs/otel-collector.yaml to {COLLECTOR_CONFIG_PARAMETER}")
    sidecar_templates: dict[str, str] = {}
    for service, port in PORTS.items():
        fail = lambda message: failures.append(f"{service}: {message}")  # noqa: E731
        path = ROOT / "ecs" / f"{service}.json"
        if not path.is_file():
            fail("ecs template missing")
            continue
        template = path.read_text(encoding="utf-8")
        unknown = sorted(placeholders(template) - provided)
        if unknown:
            fail(f"placeholders Terraform does not provide: {', '.join(unknown)}")
            continue
        values = {name: f"sample-{name.lower()}" for name in provided}
        values.update(CPU="256", MEMORY="512", SSM_PREFIX_ARN=SSM_PREFIX_ARN)
        td = render(template, values)

        if td.get("networkMode") != "awsvpc":
            fail("networkMode is not awsvpc")
        if td.get("requiresCompatibilities") != ["FARGATE"]:
            fail("requiresCompatibilities is not [FARGATE]")
        for key in ("cpu", "memory", "executionRoleArn", "taskRoleArn", "family"):
            if not td.get(key):
                fail(f"{key} missing")
        if td.get("family") != f"sample-family_prefix-{service}":
            fail("family is not ${FAMILY_PREFIX}-<service> (the rollback workflow relies on it)")
        containers = {c.get("name"): c for c in td.get("containerDefinitions", [])}
        if sorted(containers) != sorted([service, COLLECTOR]) or len(td["containerDefinitions"]) != 2:
            fail(f"expected two containers, {service} and {COLLECTOR}, got {sorted(map(str, containers))}")
            continue
        check_collector(containers[COLLECTOR], int(values["MEMORY"]), collector_env, fail)
        sidecar_templates[service] = json.dumps(
            next(c for c in json.loads(template)["containerDefinitions"] if c.get("name") == COLLECTOR), sort_keys=True
        )
        c = containers[service]
        if c.get("dependsOn") != [{"containerName": COLLECTOR, "condition": "START"}]:
            fail(f"{service} must depend on {COLLECTOR} with condition START (never wait for its health; stop before it)")
        if c.get("image") != "sample-image":
            fail("image is not ${IMAGE}")
        if c.get("readonlyRootFilesystem") is not True:
            fail("root filesystem is not read-only")
        if str(c.get("user", "")).split(":")[0] in ("", "0", "root"):
            fail("runs as root")
        health = c.get("healthCheck", {}).get("command", [])
        if health != ["CMD", f"/app/{service}", "health"]:
            fail(f"healthCheck command is {health}")
        stop = c.get("stopTimeout", 30)
        if not (drain < stop <= 120):
            fail(f"stopTimeout {stop} must exceed the {drain}s drain and stay within Fargate's 120s")
        log = c.get("logConfiguration", {})
        if log.get("logDriver") != "awslogs" or not {"awslogs-group", "awslogs-region", "awslogs-stream-prefix"} <= log.get("options", {}).keys():
            fail("logs are not awslogs with group, region and stream prefix")
        for secret in c.get("secrets", []):
            if not secret.get("valueFrom", "").startswith("arn:aws:ssm:"):
                fail(f"secret {secret.get('name')} is not an SSM parameter ARN")
        mappings = c.get("portMappings", [])
        if [m.get("containerPort") for m in mappings] != [port]:
            fail(f"port mappings {mappings} do not expose {port}")
        expected_name = "http" if service == "gateway" else "grpc"
        if mappings and (mappings[0].get("name") != expected_name or mappings[0].get("appProtocol") != expected_name):
            fail(f"port mapping must be named {expected_name} with appProtocol {expected_name} (Service Connect)")
        env = {e["name"]: e["value"] for e in c.get("environment", [])}
        if env.get("PORT") != str(port):
            fail(f"PORT is {env.get('PORT')}, expected {port}")
        if env.get("OTEL_EXPORTER_OTLP_ENDPOINT") != otlp_endpoint:
            fail(f"OTEL_EXPORTER_OTLP_ENDPOINT is {env.get('OTEL_EXPORTER_OTLP_ENDPOINT')}, expected the sidecar's {otlp_endpoint}")
        print(
            f"  {service}: ok ({len(env)} env, {len(c.get('secrets', []))} secrets, port {port}, "
            f"stopTimeout {stop}s, metrics to {COLLECTOR} at {otlp_endpoint})"
        )
    if len(set(sidecar_templates.values())) > 1:
        failures.append(f"the {COLLECTOR} container differs between templates ({', '.join(sidecar_templates)}): keep them identical")
    for failure in failures:
        print(f"  FAIL {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
