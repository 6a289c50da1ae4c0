"""Differential test of libs/cron against cron implementations nobody here wrote.

For seeded, reproducible generated 5-field expressions that alert validation accepts, the next
fire times (UTC) must be equal according to
  - PyPI croniter, on the unix expression as the user wrote it,
  - npm aws-cron-parser, on the EventBridge `cron(...)` form libs/cron converts it to
    (aws_next_fires.mjs; UTC only, like the comparison),
  - libs/cron itself (`cargo run -p alert-cron --example next_fires`).

Known class where the references read the unix expression differently (reported, not failed):
  - day-of-week `a/n` whose sequence reaches 7, e.g. `1/2`: croniter stops at 6 (Saturday),
    cronie counts to 7 (Sunday), and so do libs/cron and the EventBridge form. croniter is then
    compared on the same days written as an explicit range (`1-7/2`), which it reads like cronie.

Usage: cron_differential.py --ours PATH [--count 1000] [--fires 20] [--seed N]
Exits 1 on any disagreement (the first few are printed), 2 on a setup problem.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from croniter import croniter

HERE = Path(__file__).resolve().parent
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


@dataclass
class Case:
    expression: str
    after: datetime
    classes: set[str] = field(default_factory=set)
    # The expression croniter is given, when it must differ (see the module docs).
    croniter_expression: str | None = None


def cased(rng: random.Random, name: str) -> str:
    return rng.choice([name, name.lower(), name.capitalize()])


def item(rng: random.Random, lo: int, hi: int, names: list[str] | None, classes: set[str]) -> str:
    """One list item of a field with values lo..hi (day-of-week: 0..7), in any accepted form."""
    span = hi - lo + 1
    kind = rng.choices(
        ["value", "range", "star-step", "range-step", "start-step", "name", "name-range"],
        weights=[5, 3, 2, 2, 2, 2 if names else 0, 1 if names else 0],
    )[0]
    a, b = sorted(rng.sample(range(lo, hi + 1), 2))
    step = rng.randint(1, max(1, span // 2))
    classes.add(kind)
    if kind == "value":
        v = rng.randint(lo, hi)
        if rng.random() < 0.1:
            classes.add("zero-padded")
            return f"{v:02d}"
        return str(v)
    if kind == "range":
        return f"{a}-{b}"
    if kind == "star-step":
        return f"*/{step}"
    if kind == "range-step":
        return f"{a}-{b}/{step}"
    if kind == "start-step":
        return f"{a}/{step}"
    # Names: JAN..DEC for months 1..12, SUN..SAT for days 0..6 (7 has no name of its own).
    if kind == "name":
        return cased(rng, rng.choice(names))
    x, y = sorted(rng.sample(range(len(names)), 2))
    return f"{cased(rng, names[x])}-{cased(rng, names[y])}"


def field_text(rng: random.Random, lo: int, hi: int, names=None, classes=None, max_items=3) -> str:
    count = rng.choices([1, 2, 3], weights=[6, 3, 1])[0] if max_items > 1 else 1
    if count > 1:
        classes.add("list")
    return ",".join(item(rng, lo, hi, names, classes) for _ in range(count))


def wildcard(rng: random.Random, classes: set[str]) -> str:
    text = rng.choice(["*", "*", "?"])
    if text == "?":
        classes.add("question-mark")
    return text


def generate(rng: random.Random) -> Case:
    classes: set[str] = set()
    # Mostly sparse minutes and hours, so 20 fires span days, months and years.
    minute = str(rng.randint(0, 59)) if rng.random() < 0.5 else field_text(rng, 0, 59, None, classes)
    hour = str(rng.randint(0, 23)) if rng.random() < 0.4 else field_text(rng, 0, 23, None, classes)
    month = "*" if rng.random() < 0.5 else field_text(rng, 1, 12, MONTHS, classes)
    mode = rng.choice(["day-of-month", "day-of-week", "every-day"])
    classes.add(f"days:{mode}")
    if mode == "day-of-month":
        dom, dow = field_text(rng, 1, 31, None, classes), wildcard(rng, classes)
    elif mode == "day-of-week":
        dom, dow = wildcard(rng, classes), field_text(rng, 0, 7, DAYS, classes)
        if any(part in ("7", "07") or part.endswith("-7") for part in dow.split(",")):
            classes.add("sunday-as-7")
    else:
        # Both unrestricted; one may be spelled out in full (`1-31`, `*/1`, `0-7`).
        spelled = rng.choice(["*", "?", "1-31", "*/1"])
        dom, dow = spelled, rng.choice(["*", "?", "0-7", "SUN-SAT", "0-6"])
        if spelled not in ("*", "?") or dow not in ("*", "?"):
            classes.add("full-range-spelled")
    expression = f"{minute} {hour} {dom} {month} {dow}"
    start = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=rng.randrange(10 * 365 * 24 * 60))
    if rng.random() < 0.3:
        start += timedelta(seconds=rng.randrange(1, 60))
        classes.add("start-mid-minute")
    case = Case(expression, start, classes)
    rewritten = rewrite_weekday_start_steps(dow)
    if rewritten != dow:
        case.classes.add("known:weekday-start-step-reaches-7")
        case.croniter_expression = f"{minute} {hour} {dom} {month} {rewritten}"
    return case


def rewrite_weekday_start_steps(dow: str) -> str:
    """Writes each day-of-week `a/n` whose sequence reaches 7 (a >= 1) as `a-7/n`."""
    out = []
    for part in dow.split(","):
        base, _, step = part.partition("/")
        if step and base.isdigit() and int(base) >= 1 and (7 - int(base)) % int(step) == 0:
            out.append(f"{base}-7/{step}")
        else:
            out.append(part)
    return ",".join(out)


def canonical_values(text: str, lo: int, hi: int) -> set[int]:
    """Values of a field of libs/cron's normalised form (`*` or a list of `a` and `a-b`)."""
    if text == "*":
        return set(range(lo, hi + 1))
    values: set[int] = set()
    for part in text.split(","):
        a, _, b = part.partition("-")
        values.update(range(int(a), int(b or a) + 1))
    return values


def is_aws_month_rollover(aws, ours: list[str], normalized: str) -> bool:
    """Whether aws-cron-parser's answer is ours plus fires from its month-rollover bug.

    aws-cron-parser builds dates with JavaScript's Date, which rolls a day the month lacks over
    into the next month: `31` in June fires on 1 July. A fire on day d of a month is such a
    rollover when day (d + length of the previous month) is in the day-of-month set and the
    previous month is in the month set. Without those fires, its answer must be ours, except that
    after returning a rolled-over fire it continues from there and so misses our fires earlier in
    that month (`31` in February fires on 3 March, and 1 March is then skipped).
    """
    if isinstance(aws, str):
        return False
    _, _, dom_text, month_text, _ = normalized.split(" ")
    days, months = canonical_values(dom_text, 1, 31), canonical_values(month_text, 1, 12)
    kept, rollovers = [], []
    for fire in aws:
        t = datetime.strptime(fire, "%Y-%m-%dT%H:%M:%SZ")
        previous_month_end = t.replace(day=1) - timedelta(days=1)
        rolled_from = t.day + previous_month_end.day
        if rolled_from <= 31 and rolled_from in days and previous_month_end.month in months:
            rollovers.append(t)
        # A rolled-over day may also be a real fire (31 February → 3 March, and `3` is in the set).
        if t.day in days and t.month in months:
            kept.append(fire)
    if not rollovers:
        return False
    # RFC 3339 UTC strings of one format compare like the instants.
    horizon = min(aws[-1], ours[-1])
    extra = [f for f in kept if f <= horizon and f not in ours]
    missing = [datetime.strptime(f, "%Y-%m-%dT%H:%M:%SZ") for f in ours if f <= horizon and f not in kept]
    skipped_by_a_rollover = all(
        any(r.replace(day=1, hour=0, minute=0) <= m < r for r in rollovers) for m in missing
    )
    return not extra and skipped_by_a_rollover


def iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def croniter_fires(expression: str, after: datetime, count: int) -> list[str] | str:
    try:
        it = croniter(expression, after)
        return [iso(it.get_next(datetime)) for _ in range(count)]
    except Exception as error:  # croniter raises several types for what it rejects
        return f"croniter error: {error!r}"


def run_ours(binary: str, cases: list[Case], count: int) -> list[tuple[str, ...]]:
    stdin = "".join(f"{iso(c.after)}\t{c.expression}\n" for c in cases)
    result = subprocess.run([binary, str(count)], input=stdin, capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    if len(lines) != len(cases):
        sys.exit(f"setup: {binary} answered {len(lines)} lines for {len(cases)} cases")
    return [tuple(line.split("\t")) for line in lines]


def run_aws(cases: list[tuple[int, str, str]], count: int) -> dict[int, list[str] | str]:
    stdin = "".join(json.dumps({"id": i, "after": after, "cron": cron, "count": count}) + "\n" for i, after, cron in cases)
    result = subprocess.run(["node", str(HERE / "aws_next_fires.mjs")], input=stdin, capture_output=True, text=True, check=True, cwd=HERE)
    answers = {}
    for line in result.stdout.splitlines():
        if line.strip():
            answer = json.loads(line)
            answers[answer["id"]] = answer.get("fires", f"aws-cron-parser error: {answer.get('error')}")
    return answers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ours", required=True, help="path of the built next_fires example")
    parser.add_argument("--count", type=int, default=1000, help="accepted expressions to compare")
    parser.add_argument("--fires", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    # Generate extra: some valid-looking expressions never fire (`31 2`) and are rejected.
    candidates = [generate(rng) for _ in range(int(args.count * 1.3) + 50)]
    ours = run_ours(args.ours, candidates, args.fires)

    accepted: list[tuple[Case, str, str, list[str]]] = []
    rejections: Counter[str] = Counter()
    failures: list[str] = []
    for case, answer in zip(candidates, ours):
        if answer[0] == "ok":
            _, normalized, eventbridge, fires = answer
            accepted.append((case, normalized, eventbridge, fires.split(",") if fires else []))
        elif "never fires" in answer[1]:
            rejections["never fires"] += 1
        else:
            failures.append(f"`{case.expression}`: libs/cron rejected a generated valid expression: {answer[1]}")
    accepted = accepted[: args.count]
    if len(accepted) < args.count:
        failures.append(f"only {len(accepted)} generated expressions were accepted, wanted {args.count}")

    aws = run_aws([(i, iso(case.after), eb) for i, (case, _, eb, _) in enumerate(accepted)], args.fires)

    classes: Counter[str] = Counter()
    known_disagreements: Counter[str] = Counter()
    reference_disagreements: list[str] = []
    rollover_examples: list[str] = []
    for i, (case, normalized, eventbridge, fires) in enumerate(accepted):
        classes.update(case.classes)
        theirs_aws = aws.get(i, "aws-cron-parser gave no answer")
        theirs_croniter = croniter_fires(case.croniter_expression or case.expression, case.after, args.fires)
        what = f"`{case.expression}` ({eventbridge}, normalised `{normalized}`) after {iso(case.after)}"
        if len(fires) != args.fires:
            failures.append(f"{what}: libs/cron found {len(fires)} fires, wanted {args.fires}")
        if theirs_croniter != fires:
            failures.append(f"{what}: croniter != libs/cron: {first_difference(theirs_croniter, fires)}")
        if theirs_aws != fires:
            if is_aws_month_rollover(theirs_aws, fires, normalized):
                known_disagreements["aws-month-rollover"] += 1
                rollover_examples.append(f"{what}: {first_difference(theirs_aws, fires)}")
            else:
                failures.append(f"{what}: aws-cron-parser != libs/cron: {first_difference(theirs_aws, fires)}")
        if theirs_aws != theirs_croniter:
            reference_disagreements.append(f"{what}: aws-cron-parser != croniter: {first_difference(theirs_aws, theirs_croniter)}")
        if case.croniter_expression:
            original = croniter_fires(case.expression, case.after, args.fires)
            if original != fires:
                known_disagreements["weekday-start-step-reaches-7"] += 1

    print(
        f"cron differential: seed {args.seed}, {len(accepted)} accepted expressions "
        f"({sum(rejections.values())} generated ones rejected: {dict(rejections)}), next {args.fires} fires in UTC"
    )
    print("  classes covered: " + ", ".join(f"{name} {n}" for name, n in sorted(classes.items())))
    print(
        "  known reference disagreement, day-of-week `a/n` reaching 7: "
        f"{classes['known:weekday-start-step-reaches-7']} expressions, croniter on the original read them differently "
        f"in {known_disagreements['weekday-start-step-reaches-7']} (it stops at 6; compared as `a-7/n`)"
    )
    print(
        "  known reference bug, aws-cron-parser month rollover (a day-of-month the month lacks, e.g. the 31st "
        f"of June, fires on the next month's first days): {known_disagreements['aws-month-rollover']} expressions; "
        "libs/cron equals croniter on them and aws-cron-parser's other fires"
    )
    for what in rollover_examples[:2]:
        print(f"    e.g. {what}")
    print(f"  aws-cron-parser and croniter disagreed on {len(reference_disagreements)} expressions in all")
    if failures:
        print(f"{len(failures)} disagreements; the first ones:", file=sys.stderr)
        for failure in failures[:15]:
            print(f"  FAIL {failure}", file=sys.stderr)
        print(f"0 passed, {len(failures)} failed")
        return 1
    print(f"{len(accepted)} passed, 0 failed")
    return 0


def first_difference(theirs, ours) -> str:
    """Where two answers part: an error, or the first fire that differs."""
    if isinstance(theirs, str) or isinstance(ours, str):
        return f"{theirs if isinstance(theirs, str) else 'fires'} vs {ours if isinstance(ours, str) else 'fires'}"
    for index, (a, b) in enumerate(zip(theirs, ours)):
        if a != b:
            return f"fire #{index + 1}: {a} vs {b}"
    return f"{len(theirs)} fires vs {len(ours)}"


if __name__ == "__main__":
    sys.exit(main())
