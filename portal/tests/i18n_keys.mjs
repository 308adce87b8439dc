// Lists the keys a language is missing: every t("...") of the pages, every
// enum value a page shows by its name (service.*, role.*, …) must be in the
// English and Russian dictionaries (Kazakh falls back to Russian). Exit 1
// and the list when something is missing.
//   node tests/i18n_keys.mjs
import * as esbuild from "esbuild";
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const src = path.join(root, "src");

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (f === "gen") return [];
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

// Static keys, and the dynamic ones: `prefix.${Enum[x]}` -> every name of Enum.
const keys = new Set();
const dynamic = new Map(); // prefix -> enum name
for (const f of files(src)) {
  const text = readFileSync(f, "utf8");
  for (const m of text.matchAll(/\bt\(\s*["'`]([a-z_]+\.[a-z0-9_]+)["'`]/g)) keys.add(m[1]);
  for (const m of text.matchAll(/\?\s*["']([a-z_]+\.[a-z0-9_]+)["']\s*:\s*["']([a-z_]+\.[a-z0-9_]+)["']/g)) {
    keys.add(m[1]);
    keys.add(m[2]);
  }
  for (const m of text.matchAll(/t\(`([a-z_]+)\.\$\{([A-Z][A-Za-z]+)\[/g)) dynamic.set(m[1], m[2]);
  for (const m of text.matchAll(/const name = [^;]*?\(([A-Z][A-Za-z]+)\[s\]/g)) void m;
}
// Names shown through a local `name` variable (common.tsx).
for (const [prefix, en] of [
  ["contract_state", "ContractState"],
  ["application_state", "ApplicationState"],
  ["period_state", "PeriodState"],
  ["job_state", "JobState"],
]) dynamic.set(prefix, en);
for (const l of ["en", "ru", "kk"]) keys.add(`lang.${l}`);

// The dictionaries and the generated enums, bundled for Node.
const entry = `
import { en } from "./src/lang/en"; import { ru } from "./src/lang/ru";
import * as contracts from "./src/gen/gridbill/contracts/v1/contracts_pb";
import * as invoicing from "./src/gen/gridbill/invoicing/v1/invoicing_pb";
import * as metering from "./src/gen/gridbill/metering/v1/metering_pb";
import * as balance from "./src/gen/gridbill/balance/v1/balance_pb";
import * as common from "./src/gen/gridbill/common/v1/common_pb";
export default { en, ru, modules: { contracts, invoicing, metering, balance, common } };`;
const out = await esbuild.build({
  stdin: { contents: entry, resolveDir: root, loader: "ts" },
  bundle: true, format: "esm", platform: "node", write: false, logLevel: "error",
});
const mod = await import("data:text/javascript;base64," + Buffer.from(out.outputFiles[0].text).toString("base64"));
const { en, ru, modules } = mod.default;
const prefer = { balance_type: "balance", invoice_type: "invoicing" }; // RunType is in both
for (const [prefix, enumName] of dynamic) {
  const order = prefer[prefix] ? [prefer[prefix], ...Object.keys(modules)] : Object.keys(modules);
  const e = order.map((m) => modules[m][enumName]).find(Boolean);
  if (!e) {
    console.error(`unknown enum ${enumName} (${prefix}.*)`);
    process.exit(2);
  }
  for (const name of Object.keys(e).filter((k) => isNaN(Number(k)))) keys.add(`${prefix}.${name}`);
}
if (dynamic.has("period_state")) keys.add("period_state.NONE");

let missing = 0;
for (const [lang, dict] of [["en", en], ["ru", ru]]) {
  const absent = [...keys].filter((k) => !(k in dict)).sort();
  for (const k of absent) console.log(`missing ${lang}: ${k}`);
  missing += absent.length;
}
console.log(`${keys.size} keys checked in en and ru (kk falls back to ru): ${missing} missing`);
process.exit(missing ? 1 : 0);
