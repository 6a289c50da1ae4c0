// Renders the EventBridge rule's input transformer from the Terraform source against a sample
// scheduler event and checks the body is what the gateway's POST /scheduler/trigger accepts:
// a JSON object with exactly scheduleKey, scheduledTime and executionId, all strings.
// Also checks the rule's pattern, the API destination and the connection header agree with the
// scheduler-service's events and the gateway's route. Writes the body to fixtures/trigger-body.json
// for the Rust-side parser test.
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "@cdktf/hcl2json";

const here = dirname(fileURLToPath(import.meta.url));
const tfFile = process.argv[2] ?? "infra/terraform/modules/eventbridge/main.tf";
const fixture = join(here, "fixtures", "trigger-body.json");

const EVENT_SOURCE = "alert-system.scheduler";
const DETAIL_TYPE = "ScheduledNotification";

// What EventBridge Scheduler puts on the bus: the schedule's Input (with the context attributes
// <aws.scheduler.scheduled-time> and <aws.scheduler.execution-id> filled in) becomes `detail`.
const sampleEvent = {
  version: "0",
  id: "0d9c5b2e-5b0a-4c4e-9a53-1f1bde0d6c11",
  "detail-type": DETAIL_TYPE,
  source: EVENT_SOURCE,
  account: "123456789012",
  time: "2026-11-30T08:00:00Z",
  region: "ap-northeast-2",
  resources: ["arn:aws:scheduler:ap-northeast-2:123456789012:schedule/alert-system-prod-alerts/alert-0800-asia-seoul"],
  detail: {
    scheduleKey: "alert-0800-asia-seoul",
    scheduledTime: "2026-11-30T08:00:00Z",
    executionId: "c0ffee00-1234-4abc-8def-0123456789ab",
  },
};

const failures = [];
const check = (ok, message) => {
  if (!ok) failures.push(message);
};

/** Follows a JSONPath of the dot-notation form EventBridge supports ($.a.b.c). */
function jsonPath(event, path) {
  if (!/^\$(\.[A-Za-z0-9_-]+)+$/.test(path)) throw new Error(`unsupported input path ${path}`);
  return path.slice(2).split(".").reduce((value, key) => (value == null ? undefined : value[key]), event);
}

/**
 * EventBridge's substitution: a placeholder inside a JSON string gets the raw text; outside
 * one it gets the value as JSON (a string value quoted). A path with no value yields null.
 */
function renderTemplate(template, paths, event) {
  let out = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === "<") {
      const end = template.indexOf(">", i);
      const name = end > i ? template.slice(i + 1, end) : "";
      if (name in paths) {
        const value = jsonPath(event, paths[name]);
        if (inString) out += JSON.stringify(String(value ?? "")).slice(1, -1);
        else out += value === undefined ? "null" : JSON.stringify(value);
        i = end;
        continue;
      }
    }
    if (c === '"' && template[i - 1] !== "\\") inString = !inString;
    out += c;
  }
  return out;
}

const one = (v) => (Array.isArray(v) ? v[0] : v);
const hcl = await parse(tfFile, await readFile(tfFile, "utf8"));
const resources = hcl.resource ?? {};
const targets = Object.values(resources.aws_cloudwatch_event_target ?? {}).map(one);
const target = targets.find((t) => t.input_transformer);
if (!target) {
  console.error(`  FAIL no aws_cloudwatch_event_target with an input_transformer in ${tfFile}`);
  process.exit(1);
}
const transformer = one(target.input_transformer);
const paths = transformer.input_paths;
const template = transformer.input_template;

const rendered = renderTemplate(template, paths, sampleEvent);
let body;
try {
  body = JSON.parse(rendered);
} catch (error) {
  failures.push(`rendered body is not JSON: ${rendered} (${error.message})`);
}
if (body !== undefined) {
  const keys = Object.keys(body).sort();
  check(
    JSON.stringify(keys) === JSON.stringify(["executionId", "scheduleKey", "scheduledTime"]),
    `body keys are ${keys.join(", ")}; the gateway wants exactly scheduleKey, scheduledTime, executionId`,
  );
  for (const key of ["scheduleKey", "scheduledTime", "executionId"]) {
    check(body[key] === sampleEvent.detail[key], `body.${key} is ${JSON.stringify(body[key])}, expected ${JSON.stringify(sampleEvent.detail[key])}`);
  }
  check(!Number.isNaN(Date.parse(body.scheduledTime)), "scheduledTime is not an RFC 3339 time");
}

// The rule matches what scheduler-service puts on the bus.
const rule = Object.values(resources.aws_cloudwatch_event_rule ?? {}).map(one)[0] ?? {};
// event_pattern is a jsonencode() expression; resolve the module's locals it names.
const locals = Object.assign({}, ...(Array.isArray(hcl.locals) ? hcl.locals : [hcl.locals ?? {}]));
const pattern = String(rule.event_pattern ?? "").replace(/local\.([A-Za-z0-9_]+)/g, (m, name) =>
  typeof locals[name] === "string" ? JSON.stringify(locals[name]) : m,
);
check(pattern.includes(EVENT_SOURCE), `rule event_pattern does not name source ${EVENT_SOURCE}`);
check(pattern.includes(DETAIL_TYPE), `rule event_pattern does not name detail-type ${DETAIL_TYPE}`);

// The destination is the gateway's trigger route and the connection sends the secret header.
const destination = Object.values(resources.aws_cloudwatch_event_api_destination ?? {}).map(one)[0] ?? {};
check(destination.http_method === "POST", `API destination method is ${destination.http_method}, expected POST`);
check(
  /scheduler\/trigger/.test(JSON.stringify(destination.invocation_endpoint ?? "")) ||
    /trigger_url\s*=\s*"[^"\n]*\/scheduler\/trigger"/.test(await readFile(join(here, "..", "..", "infra", "terraform", "main.tf"), "utf8")),
  "API destination does not call /scheduler/trigger",
);
const connection = Object.values(resources.aws_cloudwatch_event_connection ?? {}).map(one)[0] ?? {};
const apiKey = one(one(connection.auth_parameters ?? {}).api_key ?? {});
check(apiKey.key === "x-scheduler-secret", `connection sends header ${apiKey.key}, expected x-scheduler-secret`);
check(Boolean(target.retry_policy), "rule target has no retry_policy");
check(Boolean(target.dead_letter_config), "rule target has no dead_letter_config");

if (failures.length > 0) {
  for (const f of failures) console.error(`  FAIL ${f}`);
  process.exit(1);
}
await mkdir(dirname(fixture), { recursive: true });
await writeFile(fixture, JSON.stringify(body, null, 2) + "\n");
console.log(`  rendered ${rendered.trim()}`);
console.log("  body has exactly scheduleKey, scheduledTime, executionId; rule, destination and header agree");
console.log("  wrote ci/deploy/fixtures/trigger-body.json");
