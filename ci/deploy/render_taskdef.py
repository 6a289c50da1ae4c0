#!/usr/bin/env python3
"""Renders an ECS task-definition template (ecs/<service>.json) into register-task-definition input.

The templates use `${NAME}` placeholders, the same syntax Terraform's templatefile() reads, so
Terraform and the deploy workflow render the same file. Every placeholder must get a value;
values are JSON-escaped. Variables come from a JSON object file (--vars, e.g. the
/alert-system/<env>/deploy/<service> SSM parameter that Terraform writes) and --set NAME=VALUE.

    render_taskdef.py ecs/gateway.json --vars vars.json --set IMAGE=repo:sha > taskdef.json
"""

import argparse
import json
import re
import sys

PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def placeholders(template: str) -> set[str]:
    return set(PLACEHOLDER.findall(template))


def render(template: str, values: dict[str, str]) -> dict:
    missing = sorted(placeholders(template) - values.keys())
    if missing:
        raise SystemExit(f"render_taskdef: no value for {', '.join(missing)}")

    def substitute(match: re.Match) -> str:
        # Placeholders sit inside JSON strings: insert the value escaped, without quotes.
        return json.dumps(str(values[match.group(1)]))[1:-1]

    return json.loads(PLACEHOLDER.sub(substitute, template))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("template")
    parser.add_argument("--vars", help="JSON object of placeholder values")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()

    values: dict[str, str] = {}
    if args.vars:
        with open(args.vars, encoding="utf-8") as file:
            values.update({k: str(v) for k, v in json.load(file).items()})
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"render_taskdef: --set expects NAME=VALUE, got {item!r}")
        values[name] = value
    with open(args.template, encoding="utf-8") as file:
        rendered = render(file.read(), values)
    json.dump(rendered, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
