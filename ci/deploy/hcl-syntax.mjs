// Parses every .tf file under the given directories with @cdktf/hcl2json (the HCL parser
// Terraform uses, compiled to WebAssembly) and fails on the first syntax error of each file.
import { readFile, readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { parse } from "@cdktf/hcl2json";

async function* tfFiles(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === ".terraform" || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* tfFiles(path);
    else if (entry.name.endsWith(".tf")) yield path;
  }
}

let checked = 0;
let failed = 0;
for (const root of process.argv.slice(2)) {
  for await (const file of tfFiles(root)) {
    checked += 1;
    try {
      await parse(file, await readFile(file, "utf8"));
    } catch (error) {
      failed += 1;
      console.error(`  FAIL ${relative(process.cwd(), file)}: ${String(error.message ?? error).trim()}`);
    }
  }
}
console.log(`  ${checked} .tf files parsed, ${failed} with syntax errors`);
if (checked === 0 || failed > 0) process.exit(1);
