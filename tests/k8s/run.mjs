// Runs one test file of this folder with node's test runner, after checking
// what it needs: its node packages (deploy/install-deps.sh installs them)
// and the tools its first line names (`// needs: kubectl helm ...`). A
// missing tool skips the test (exit 77, which ctest reports as skipped) and
// says which and why.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const file = process.argv[2];
const here = dirname(new URL(import.meta.url).pathname);
if (!existsSync(join(here, "node_modules", "yaml"))) {
  console.error("tests/k8s/node_modules is missing: run deploy/install-deps.sh");
  process.exit(1);
}
const needs = (readFileSync(file, "utf8").match(/^\/\/ needs: (.*)$/m)?.[1] ?? "").split(/\s+/).filter(Boolean);
for (const tool of needs) {
  if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) {
    console.log(`SKIPPED: ${tool} is not on the PATH; ${file} needs it and was not run`);
    process.exit(77);
  }
}
const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", file], { stdio: "inherit" });
process.exit(r.status ?? 1);
