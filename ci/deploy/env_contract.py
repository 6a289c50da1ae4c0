#!/usr/bin/env python3
"""Every environment variable a service needs is provided by compose.yaml and by its task definition.

Reads the variables each service reads from its Rust sources, the contract in env-contract.yaml,
the `environment` of each compose service and the `environment`/`secrets` of ecs/<svc>.json, and
fails when:
  - a variable the code requires (env.required) or the contract lists as must-set is missing
    from compose (must_set.both) or from the task definition (must_set.both + must_set.ecs);
  - compose gives a required variable a blank default (`${NAME:-}`: blank counts as unset);
  - a deployment provides a variable the service neither reads nor documents (drift, typos);
  - a secret is passed as plain `environment` in a task definition, or twice.
Usage: env_contract.py [repo-root]
"""

import json
import re
import sys
from pathlib import Path

import yaml

ENV_CALL = re.compile(
    r"\.\s*(get|required|parse_or|bool_or|duration_or|string_or|secret|redis_url)\s*(?:::\s*<[^>]*>\s*)?\(\s*\"([A-Z][A-Z0-9_]*)\""
)
# A helper that takes the Env and a name, e.g. main.rs's `peer(&env, "ALERT_SERVICE_URL", default)`.
ENV_HELPER_CALL = re.compile(r"\(\s*&?env\s*,\s*\"([A-Z][A-Z0-9_]*)\"")
# Unit tests build their own Env; what they read says nothing about deployments.
TEST_MODULE = re.compile(r"^\s*#\[cfg\(test\)\]\s*\n\s*(pub\s+)?mod\s", re.M)


def read_by_code(paths: list[Path]) -> tuple[set[str], set[str]]:
    """All variable names read through an `Env`, and those read with `required`."""
    read, required = set(), set()
    for root in paths:
        for file in sorted(root.rglob("*.rs")):
            text = file.read_text(encoding="utf-8")
            test_module = TEST_MODULE.search(text)
            if test_module:
                text = text[: test_module.start()]
            for method, name in ENV_CALL.findall(text):
                read.add(name)
                if method == "required":
                    required.add(name)
            read.update(ENV_HELPER_CALL.findall(text))
    return read, required


def main() -> int:
    repo = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    contract = yaml.safe_load((repo / "ci/deploy/env-contract.yaml").read_text(encoding="utf-8"))
    compose = yaml.safe_load((repo / "compose.yaml").read_text(encoding="utf-8"))
    common = contract["common"]
    platform_src = repo / "libs/platform/src"
    failures: list[str] = []
    notes: list[str] = []

    for service, spec in contract["services"].items():
        fail = lambda message: failures.append(f"{service}: {message}")  # noqa: E731
        documented = set(common["documented"]) | set(spec["documented"])
        must_both = set(common["must_set"]["both"]) | set(spec["must_set"]["both"])
        must_ecs = must_both | set(common["must_set"]["ecs"]) | set(spec["must_set"]["ecs"])
        secrets = set(spec.get("secret", []))

        src = repo / "services" / service / "src"
        sources = [p for p in (src, platform_src) if p.is_dir()]
        read, required = read_by_code(sources)
        if src.is_dir():
            not_yet = sorted(documented - read)
            if not_yet:
                notes.append(f"{service}: documented but not read by the code (yet): {', '.join(not_yet)}")
        else:
            notes.append(f"{service}: services/{service}/src not present; checked against the contract only")
        known = read | documented

        # compose
        compose_env = (compose.get("services", {}).get(service) or {}).get("environment")
        if compose_env is None:
            fail("compose.yaml has no environment for this service")
            compose_env = {}
        if isinstance(compose_env, list):
            compose_env = dict(item.split("=", 1) if "=" in item else (item, "") for item in compose_env)
        for name in sorted((required | must_both) - compose_env.keys()):
            fail(f"compose.yaml does not provide {name}")
        for name in sorted(required | must_both):
            value = str(compose_env.get(name, ""))
            if re.fullmatch(rf"\$\{{{name}:-\}}", value) or (name in compose_env and value == ""):
                fail(f"compose.yaml gives required {name} a blank default")
        for name in sorted(compose_env.keys() - known):
            fail(f"compose.yaml provides {name}, which the service neither reads nor documents")

        # task definition
        template = repo / "ecs" / f"{service}.json"
        if not template.is_file():
            fail(f"no task definition template ecs/{service}.json")
            continue
        taskdef = json.loads(template.read_text(encoding="utf-8"))
        containers = [c for c in taskdef["containerDefinitions"] if c["name"] == service]
        if len(containers) != 1:
            fail(f"ecs/{service}.json has no container named {service}")
            continue
        container = containers[0]
        plain = [e["name"] for e in container.get("environment", [])]
        from_ssm = [s["name"] for s in container.get("secrets", [])]
        provided = plain + from_ssm
        for name in sorted({n for n in provided if provided.count(n) > 1}):
            fail(f"ecs/{service}.json sets {name} more than once")
        for name in sorted((required | must_ecs) - set(provided)):
            fail(f"ecs/{service}.json does not provide {name}")
        for name in sorted(secrets & set(plain)):
            fail(f"ecs/{service}.json passes secret {name} as plain environment; use secrets/valueFrom")
        for secret in container.get("secrets", []):
            if not secret["valueFrom"].startswith("${SSM_PREFIX_ARN}/"):
                fail(f"ecs/{service}.json secret {secret['name']} is not read from the environment's SSM prefix")
        for name in sorted(set(provided) - known):
            fail(f"ecs/{service}.json provides {name}, which the service neither reads nor documents")

        print(
            f"  {service}: code reads {len(read)} ({len(required)} required), "
            f"compose provides {len(compose_env)}, task definition provides {len(provided)} "
            f"({len(from_ssm)} from SSM)"
        )

    for note in notes:
        print(f"  note: {note}")
    for failure in failures:
        print(f"  FAIL {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
