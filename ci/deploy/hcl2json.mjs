// Prints the .tf files given as one JSON object {path: parsed}, parsed with @cdktf/hcl2json (the
// HCL parser Terraform uses). Expressions stay as "${...}" strings. For checks written in Python.
import { readFile } from "node:fs/promises";
import { parse } from "@cdktf/hcl2json";

const parsed = {};
for (const file of process.argv.slice(2)) {
  parsed[file] = await parse(file, await readFile(file, "utf8"));
}
process.stdout.write(JSON.stringify(parsed));
