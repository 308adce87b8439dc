// Runs the browser tests (tests/browser.ts), or the benchmark with --bench:
// bundled for Node by esbuild (the clients generated from proto/ are
// TypeScript), then run. Environment: GRIDBILL_WEB_URL (the gateway's web
// door), GRIDBILL_ADMIN_PASSWORD, GRIDBILL_CHROMIUM (/usr/bin/chromium),
// GRIDBILL_SCREENSHOTS (a folder), GRIDBILL_PORTAL_DIST (portal/dist).
import * as esbuild from "esbuild";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
// Inside portal/ so that the externals resolve from portal/node_modules.
const out = path.join(here, `.out-${process.pid}`);
mkdirSync(out, { recursive: true });
try {
  await esbuild.build({
    entryPoints: [path.join(here, "browser.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: path.join(out, "browser.mjs"),
    external: ["playwright-core", "axe-core"],
    logLevel: "error",
  });
  const mod = await import(pathToFileURL(path.join(out, "browser.mjs")).href);
  await mod.main(process.argv.includes("--bench") ? "bench" : "test");
} finally {
  rmSync(out, { recursive: true, force: true });
}
