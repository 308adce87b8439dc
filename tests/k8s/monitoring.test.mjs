// deploy/monitoring as an operator relies on it: every alert has a summary,
// a description, a severity and a runbook section in docs/runbooks.md that
// its runbook_url points at; every service has a dashboard with rate, errors
// and duration by method, and the month close has one; dashboards are
// well-formed (unique uids and panel ids, every panel queries something).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { parse } from "yaml";
import { repoRoot } from "./lib.mjs";

const dir = `${repoRoot}deploy/monitoring`;
const suite = ["contracts", "metering", "balance", "invoicing", "forecasting", "reporting", "integrations", "gateway"];

test("every alert has a summary, a description, a severity and its runbook section", () => {
  const runbooks = readFileSync(`${repoRoot}docs/runbooks.md`, "utf8");
  const sections = new Set([...runbooks.matchAll(/^## (\S+)$/gm)].map((m) => m[1]));
  const alerts = parse(readFileSync(`${dir}/alerts.yaml`, "utf8")).groups.flatMap((g) => g.rules);
  assert.ok(alerts.length >= 9);
  for (const a of alerts) {
    assert.ok(a.alert, "an alerting rule");
    assert.ok(a.annotations?.summary, `${a.alert}: summary`);
    assert.ok(a.annotations?.description, `${a.alert}: description`);
    assert.ok(["page", "ticket"].includes(a.labels?.severity), `${a.alert}: severity`);
    assert.ok(sections.has(a.alert), `${a.alert}: no section in docs/runbooks.md`);
    assert.ok(a.annotations.runbook_url.endsWith(`runbooks.md#${a.alert.toLowerCase()}`), `${a.alert}: runbook_url`);
  }
  // The burn-rate pairs of the SRE Workbook, on both SLOs.
  const exprs = Object.fromEntries(alerts.map((a) => [a.alert, a.expr]));
  for (const slo of ["Availability", "Latency"]) {
    assert.match(exprs[`Gridbill${slo}BudgetBurnFast`], /ratio_rate1h > \(14\.4 \*[\s\S]*ratio_rate5m > \(14\.4 \*[\s\S]*ratio_rate6h > \(6 \*[\s\S]*ratio_rate30m > \(6 \*/);
    assert.match(exprs[`Gridbill${slo}BudgetBurnSlow`], /ratio_rate3d > [\d.]+\s+and\s+[\w:]+ratio_rate6h > [\d.]+/);
  }
});

test("dashboards: one per service with RED by method, one for the month close, well-formed", () => {
  const files = readdirSync(`${dir}/dashboards`);
  assert.deepEqual(files.sort(), [...suite.map((s) => `${s}.json`), "month-close.json"].sort());
  const uids = new Set();
  for (const f of files) {
    const d = JSON.parse(readFileSync(`${dir}/dashboards/${f}`, "utf8"));
    assert.ok(d.title && d.uid, f);
    assert.ok(!uids.has(d.uid), `${f}: uid ${d.uid} used twice`);
    uids.add(d.uid);
    const ids = d.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, `${f}: panel ids unique`);
    for (const p of d.panels) {
      assert.ok(p.targets?.length > 0 && p.targets.every((t) => t.expr), `${f}: panel ${p.title} queries`);
      assert.equal(p.datasource?.uid, "${datasource}", `${f}: panel ${p.title} uses the datasource variable`);
    }
    const svc = f.replace(".json", "");
    if (suite.includes(svc)) {
      const exprs = d.panels.flatMap((p) => p.targets.map((t) => t.expr)).join("\n");
      assert.match(exprs, new RegExp(`grpc_server_handled:rate5m\\{job="${svc}"\\}`), `${f}: rate`);
      assert.match(exprs, new RegExp(`grpc_server_handled:rate5m\\{job="${svc}",grpc_code=~`), `${f}: errors`);
      assert.match(exprs, new RegExp(`handling_seconds:p99_5m\\{job="${svc}"\\}`), `${f}: duration`);
    }
  }
});
