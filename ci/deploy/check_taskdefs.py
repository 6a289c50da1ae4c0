#!/usr/bin/env python3
"""ecs/<service>.json are valid task definitions for this stack.

Renders each template with render_taskdef.py using exactly the variable names Terraform provides
(the render_vars map in infra/terraform/modules/ecs/main.tf, plus IMAGE), then checks what the
deployment guide promises: Fargate/awsvpc, task CPU and memory, awslogs, secrets from SSM, a
container health check through the binary, a read-only root filesystem, a non-root user, a stop
timeout longer than the ALB's deregistration delay (the gateway's drain) and within Fargate's
120 s limit, and the port names Service Connect publishes.
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from render_taskdef import placeholders, render  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PORTS = {"gateway": 8080, "alert-service": 50051, "scheduler-service": 50052, "notifier-service": 50053}


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


def main() -> int:
    provided = terraform_render_vars()
    drain = deregistration_delay()
    failures: list[str] = []
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
        values.update(CPU="256", MEMORY="512", SSM_PREFIX_ARN="arn:aws:ssm:ap-northeast-2:123456789012:parameter/alert-system/prod")
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
        containers = td.get("containerDefinitions", [])
        if len(containers) != 1 or containers[0].get("name") != service:
            fail(f"expected one container named {service}")
            continue
        c = containers[0]
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
        print(f"  {service}: ok ({len(env)} env, {len(c.get('secrets', []))} secrets, port {port}, stopTimeout {stop}s)")
    for failure in failures:
        print(f"  FAIL {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
