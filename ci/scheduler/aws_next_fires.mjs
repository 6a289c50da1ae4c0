// Reference evaluator of EventBridge cron expressions for the differential test: npm
// `aws-cron-parser` (UTC only). Reads JSON lines {"id", "after", "cron", "count"} on stdin, where
// `cron` is an EventBridge `cron(...)` expression; writes JSON lines {"id", "fires"} (RFC 3339
// UTC, seconds) or {"id", "error"}.
import { createInterface } from "node:readline";
import awsCronParser from "aws-cron-parser";

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
for await (const line of lines) {
  if (!line.trim()) continue;
  const { id, after, cron, count } = JSON.parse(line);
  try {
    const inner = /^cron\((.*)\)$/.exec(cron);
    if (!inner) throw new Error(`not a cron(...) expression: ${cron}`);
    const parsed = awsCronParser.parse(inner[1]);
    const fires = [];
    let from = new Date(after);
    while (fires.length < count) {
      // next() answers the first fire strictly after `from`.
      const next = awsCronParser.next(parsed, from);
      if (!next) break;
      fires.push(next.toISOString().replace(".000Z", "Z"));
      from = next;
    }
    out.push(JSON.stringify({ id, fires }));
  } catch (error) {
    out.push(JSON.stringify({ id, error: String(error?.message ?? error) }));
  }
}
process.stdout.write(out.join("\n") + "\n");
