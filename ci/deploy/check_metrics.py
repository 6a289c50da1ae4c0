#!/usr/bin/env python3
"""The services' metrics reach CloudWatch with the names and dimensions the alarms and dashboard use.

Three places name the same metrics. If they disagree, an alarm waits for a metric that never
comes, and with treat_missing_data = notBreaching it never fires:
  - the code: the OpenTelemetry instruments the services create (`u64_counter("name")`, ...) and
    the attributes they record (`KeyValue::new("key", ...)`) in services/*/src and libs/*/src;
  - ecs/otel-collector.yaml: the awsemf exporter's metric_declarations, which choose the metrics
    that become CloudWatch metrics and their dimension sets (the rest stay log fields);
  - infra/terraform/modules/monitoring: the alarms and dashboard widgets in var.metrics_namespace.
Fails when an instrument is selected by no declaration, a selector matches no instrument, a
dimension names an attribute the metric's crate never records, an alarm or widget names a metric
or a dimension set the collector does not emit, or a literal dimension value never appears in the
metric's crate; and when the configuration outgrows the standard SSM parameter (4 KB) Terraform
stores it in.
Usage: check_metrics.py [repo-root]
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from env_contract import TEST_MODULE  # noqa: E402  (unit tests' own instruments are not deployed)

SSM_STANDARD_LIMIT = 4096
NAMESPACE = "${var.metrics_namespace}"

# A metric name is dotted: `u64_counter("air_quality.cache.hits")`, or a helper `counter("…", …)`.
INSTRUMENT = re.compile(r"(?:counter|gauge|histogram)\(\s*\"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)\"")
ATTRIBUTE = re.compile(r"KeyValue::new\(\s*\"([a-z_][a-z0-9_.]*)\"")
# A dashboard metric: [var.metrics_namespace, "name", "key", value, ..., { options }].
WIDGET_METRIC = re.compile(r"\[\s*var\.metrics_namespace\s*,([^\[\]]*)\]")
FOR_LITERALS = re.compile(r"for\s+(\w+)\s+in\s+\[([^\[\]]*)\]")
LITERAL = re.compile(r'^"([^"]*)"$')


class Instrument:
    """A metric the code creates: where, and the source of its crate (attributes and their values
    are often chosen elsewhere in the crate than where the instrument is made)."""

    def __init__(self, name: str, source: Path, crate_text: str):
        self.name = name
        self.source = source
        self.text = crate_text
        self.attributes = set(ATTRIBUTE.findall(crate_text))


def non_test_source(file: Path) -> str:
    text = file.read_text(encoding="utf-8")
    test_module = TEST_MODULE.search(text)
    return text[: test_module.start()] if test_module else text


def instruments(repo: Path) -> dict[str, Instrument]:
    found: dict[str, Instrument] = {}
    for src in sorted([*repo.glob("services/*/src"), *repo.glob("libs/*/src")]):
        sources = {file: non_test_source(file) for file in sorted(src.rglob("*.rs"))}
        crate_text = "\n".join(sources.values())
        for file, text in sources.items():
            for name in INSTRUMENT.findall(text):
                found[name] = Instrument(name, file.relative_to(repo), crate_text)
    return found


def dimension_sets(declarations: list[dict], metric: str) -> set[tuple[str, ...]]:
    """The dimension sets the collector gives `metric`; empty when it drops the metric."""
    sets: set[tuple[str, ...]] = set()
    for declaration in declarations:
        if any(re.search(selector, metric) for selector in declaration["metric_name_selectors"]):
            sets.update(tuple(sorted(dims)) for dims in declaration.get("dimensions", [[]]))
    return sets


def terraform(repo: Path, directory: str) -> dict:
    files = sorted(str(p.relative_to(repo)) for p in (repo / directory).glob("*.tf"))
    out = subprocess.run(
        ["node", str(HERE / "hcl2json.mjs"), *files], cwd=repo, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)


def alarm_metrics(parsed: dict) -> list[tuple[str, str, dict[str, list[str]]]]:
    """(alarm, metric name, dimensions) of every alarm metric in the services' namespace.

    Dimensions map to the literal values to check; an expression ("${var...}") has none.
    """
    found = []
    for document in parsed.values():
        for alarm, blocks in document.get("resource", {}).get("aws_cloudwatch_metric_alarm", {}).items():
            for block in blocks:
                metrics = [block] + [m for q in block.get("metric_query", []) for m in q.get("metric", [])]
                for metric in metrics:
                    if metric.get("namespace") != NAMESPACE:
                        continue
                    dims = metric.get("dimensions", {})
                    if not isinstance(dims, dict):
                        raise SystemExit(f"  FAIL alarm {alarm}: write its dimensions as a literal map, not {dims}")
                    dims = {key: [] if "${" in value else [value] for key, value in dims.items()}
                    found.append((f"alarm {alarm}", metric.get("metric_name", ""), dims))
    return found


def widget_metrics(parsed: dict) -> list[tuple[str, str, dict[str, list[str]]]]:
    """(widget, metric name, dimensions) of every dashboard metric in the services' namespace.

    The dashboard body is one jsonencode() expression, so its metric arrays are read from the
    source text; a value bound by `for x in ["a", "b"]` stands for each of those literals.
    """
    found = []
    for document in parsed.values():
        for dashboard, blocks in document.get("resource", {}).get("aws_cloudwatch_dashboard", {}).items():
            for block in blocks:
                body = block["dashboard_body"]
                literals = {name: re.findall(r'"([^"]*)"', values) for name, values in FOR_LITERALS.findall(body)}
                for match in WIDGET_METRIC.finditer(body):
                    items = [item.strip() for item in match.group(1).split(",")]
                    items = [item for item in items if item and not item.startswith("{")]
                    name = LITERAL.match(items[0])
                    pairs = dict(zip(items[1::2], items[2::2]))
                    dims = {}
                    for key, value in pairs.items():
                        literal = LITERAL.match(value)
                        # An expression (var.schedule_group_name) has no literal to check.
                        dims[key.strip('"')] = [literal.group(1)] if literal else literals.get(value, [])
                    found.append((f"dashboard {dashboard}", name.group(1) if name else items[0], dims))
    return found


def main() -> int:
    repo = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    failures: list[str] = []
    code = instruments(repo)
    if not code:
        failures.append("no OpenTelemetry instruments found in services/*/src or libs/*/src")

    config_path = repo / "ecs/otel-collector.yaml"
    config_text = config_path.read_text(encoding="utf-8")
    size = len(config_text.encode("utf-8"))
    if size > SSM_STANDARD_LIMIT:
        failures.append(f"ecs/otel-collector.yaml is {size} bytes; a standard SSM parameter holds {SSM_STANDARD_LIMIT}")
    config = yaml.safe_load(config_text)
    emf = config["exporters"]["awsemf"]
    declarations = emf.get("metric_declarations", [])
    if emf.get("dimension_rollup_option") != "NoDimensionRollup":
        failures.append("awsemf must use NoDimensionRollup: rolled-up copies are extra custom metrics nothing reads")
    if "awsemf" not in config["service"]["pipelines"]["metrics"]["exporters"]:
        failures.append("the metrics pipeline does not export to awsemf")

    # The collector configuration against the code.
    for index, declaration in enumerate(declarations):
        for selector in declaration["metric_name_selectors"]:
            if not any(re.search(selector, name) for name in code):
                failures.append(f"metric_declarations[{index}]: {selector} selects no instrument of the code")
        selected = [i for name, i in code.items() if any(re.search(s, name) for s in declaration["metric_name_selectors"])]
        for instrument in selected:
            for dims in declaration.get("dimensions", [[]]):
                unknown = sorted(set(dims) - instrument.attributes)
                if unknown:
                    failures.append(
                        f"metric_declarations[{index}]: the crate of {instrument.name} ({instrument.source}) "
                        f"records no attribute {', '.join(unknown)}"
                    )
    for name, instrument in sorted(code.items()):
        if not dimension_sets(declarations, name):
            failures.append(f"{name} ({instrument.source}) is selected by no metric_declarations entry: it never becomes a CloudWatch metric")

    # Alarms and the dashboard against the collector configuration and the code.
    parsed = terraform(repo, "infra/terraform/modules/monitoring")
    uses = alarm_metrics(parsed) + widget_metrics(parsed)
    for where, metric, dims in uses:
        instrument = code.get(metric)
        if instrument is None:
            failures.append(f"{where}: {metric} is not an instrument of the code")
            continue
        emitted = dimension_sets(declarations, metric)
        if tuple(sorted(dims)) not in emitted:
            failures.append(f"{where}: {metric} with dimensions {sorted(dims)} is not emitted; the collector emits {sorted(emitted)}")
        for key, values in dims.items():
            for value in values:
                if f'"{value}"' not in instrument.text:
                    failures.append(f"{where}: {metric} {key}={value!r} never appears in the crate of {instrument.source}")

    for failure in failures:
        print(f"  FAIL {failure}", file=sys.stderr)
    if not failures:
        print(
            f"  {len(code)} instruments in the code, all selected by ecs/otel-collector.yaml ({size} bytes); "
            f"{len(uses)} alarm and dashboard metrics match what it emits"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
