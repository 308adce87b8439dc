// Prints the metric names that the given alert/recording rule files (YAML)
// and Grafana dashboards (JSON) query, one per line as `name<TAB>file`,
// leaving out the series the rules record themselves and those Prometheus
// makes (up). Used by monitoring_metrics_test to compare with what the
// services export.
import { readFileSync } from "node:fs";
import { parse } from "yaml";

const keywords = new Set(["and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
  "group_right", "bool", "offset", "inf", "nan"]);
const fromPrometheus = new Set(["up"]);

export function metricNames(expr) {
  let e = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  e = e.replace(/\{[^}]*\}/g, " ").replace(/\[[^\]]*\]/g, " ");
  e = e.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = [];
  for (const m of e.matchAll(/(?<![\w:.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:]|\s*\()/g)) {
    if (!keywords.has(m[1])) names.push(m[1]);
  }
  return names;
}

function exprsOf(file) {
  const text = readFileSync(file, "utf8");
  const exprs = [];
  const recorded = [];
  if (file.endsWith(".json")) {
    const walk = (x) => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === "object") {
        if (typeof x.expr === "string") exprs.push(x.expr);
        Object.values(x).forEach(walk);
      }
    };
    walk(JSON.parse(text));
  } else {
    const doc = parse(text);
    const groups = doc.spec?.groups ?? doc.groups ?? [];
    for (const g of groups) for (const r of g.rules) {
      exprs.push(String(r.expr));
      if (r.record) recorded.push(r.record);
    }
  }
  return { exprs, recorded };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const files = process.argv.slice(2);
  const all = files.map((f) => ({ f, ...exprsOf(f) }));
  const recorded = new Set(all.flatMap((x) => x.recorded));
  const out = new Set();
  for (const { f, exprs } of all) {
    for (const e of exprs) {
      for (const n of metricNames(e)) {
        if (!recorded.has(n) && !fromPrometheus.has(n)) out.add(`${n}\t${f.split("/").slice(-2).join("/")}`);
      }
    }
  }
  if (out.size === 0) { console.error("no metric names found"); process.exit(1); }
  process.stdout.write([...out].sort().join("\n") + "\n");
}
