// The real system in its embedded mode (one process, SQLite in a temp DATA_DIR), built with cargo
// and started on a free port; serves web/dist.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");

function cargoTargetDir() {
  const metadata = execFileSync("cargo", ["metadata", "--format-version", "1", "--no-deps"], {
    cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(metadata).target_directory;
}

export function buildSystem() {
  execFileSync("cargo", ["build", "--locked", "-p", "alert-system"], { cwd: REPO_ROOT, stdio: "inherit" });
  return join(cargoTargetDir(), "debug", "alert-system");
}

/** Starts the binary with `env` added; resolves once it printed its address. */
export async function startSystem(binary, { pushAllowedOrigins, env = {} }) {
  const dataDir = mkdtempSync(join(tmpdir(), "alert-e2e-data-"));
  const schedulerSecret = randomBytes(24).toString("hex");
  const child = spawn(binary, [], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      WEB_DIR: join(REPO_ROOT, "web/dist"),
      PUSH_ALLOWED_ORIGINS: pushAllowedOrigins,
      SCHEDULER_SECRET: schedulerSecret,
      RUST_LOG: process.env.RUST_LOG ?? "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolveUrl, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`alert-system did not start in 60 s: ${output}`)), 60_000);
    child.once("exit", (code) => reject(new Error(`alert-system exited with ${code}: ${output}`)));
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /Alert System is running at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
  });
  child.removeAllListeners("exit");
  return {
    url,
    schedulerSecret,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
