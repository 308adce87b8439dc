// needs: kubectl
// deploy/k8s: every overlay renders with `kubectl kustomize`, validates
// against the Kubernetes schemas and passes the structural checks (lib.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { relative } from "node:path";
import {
  byKind, kustomize, named, podSettings, repoRoot, selects, structuralProblems, validateSchema,
} from "./lib.mjs";

const overlays = ["dev", "prod"];
const suite = ["contracts", "metering", "balance", "invoicing", "forecasting", "reporting", "integrations", "gateway"];
// Made outside the repository in prod (deploy/k8s/overlays/prod says how).
const prodExternalSecrets = ["gridbill-identity", "gridbill-gateway", "gridbill-tls", "gridbill-backup-s3", ...suite.map((s) => `${s}-db-runtime`)];

for (const overlay of overlays) {
  const objects = kustomize(`${repoRoot}deploy/k8s/overlays/${overlay}`);

  test(`${overlay}: every object validates against the Kubernetes schemas`, () => {
    const custom = [];
    for (const o of objects) {
      try {
        if (!validateSchema(o)) custom.push(`${o.apiVersion} ${o.kind}`);
      } catch (e) {
        assert.fail(`${o.kind} ${o.metadata?.name}: ${e.message}`);
      }
    }
    // Only the CloudNativePG resources have no schema here.
    assert.deepEqual([...new Set(custom)].sort(), ["postgresql.cnpg.io/v1 Cluster", ...(overlay === "prod" ? ["postgresql.cnpg.io/v1 ScheduledBackup"] : [])]);
  });

  test(`${overlay}: the structural checks pass`, () => {
    assert.deepEqual(structuralProblems(objects), []);
  });

  test(`${overlay}: every service of the suite is there with its Service`, () => {
    for (const svc of suite) {
      assert.ok(named(objects, "Deployment", svc), `Deployment ${svc}`);
      assert.ok(named(objects, "Service", svc), `Service ${svc}`);
    }
    const gw = named(objects, "Service", "gateway");
    assert.deepEqual(gw.spec.ports.map((p) => p.name).sort(), ["grpc", "metrics", "web"]);
  });

  test(`${overlay}: each pod migrates in an init container, the service only checks`, () => {
    for (const svc of suite) {
      const spec = named(objects, "Deployment", svc).spec.template.spec;
      const [init] = spec.initContainers ?? [];
      assert.equal(init?.name, "migrate", `${svc}: init container`);
      assert.deepEqual(init.args, ["--database-migrate=only"], svc);
      assert.equal(init.image, spec.containers[0].image, `${svc}: the service's image`);
      assert.deepEqual(init.envFrom, spec.containers[0].envFrom, `${svc}: the service's settings`);
      const url = (c) => c.env.find((e) => e.name === "GRIDBILL_DATABASE_URL").valueFrom.secretKeyRef;
      assert.deepEqual(url(init), url(spec.containers[0]), `${svc}: the service's database`);
      // Migrations run as the owner; the service as its runtime role only.
      const owner = (c) => c.env.find((e) => e.name === "GRIDBILL_DATABASE_OWNER_URL");
      assert.deepEqual(owner(init)?.valueFrom?.secretKeyRef, { name: `${svc}-db-app`, key: "uri" }, `${svc}: migrations as the owner`);
      assert.deepEqual(url(spec.containers[0]), { name: `${svc}-db-runtime`, key: "uri" }, `${svc}: the service as ${svc}_app`);
      for (const c of spec.containers) {
        assert.equal(owner(c), undefined, `${svc}/${c.name}: no owner's URL`);
        for (const from of c.envFrom ?? []) assert.equal(from.secretRef, undefined, `${svc}/${c.name}: no whole Secret`);
      }
      assert.equal(init.securityContext?.readOnlyRootFilesystem, true, svc);
      assert.deepEqual(init.securityContext?.capabilities?.drop, ["ALL"], svc);
      assert.ok(init.resources?.limits?.memory, `${svc}: init limits`);
      assert.equal(podSettings(objects, spec).GRIDBILL_DATABASE_MIGRATE, "check", svc);
    }
  });

  test(`${overlay}: HPAs scale the stateless services, Ingress reaches the gateway`, () => {
    const hpas = byKind(objects, "HorizontalPodAutoscaler");
    assert.deepEqual(hpas.map((h) => h.spec.scaleTargetRef.name).sort(), ["contracts", "gateway", "metering"]);
    for (const h of hpas) assert.ok(named(objects, "Deployment", h.spec.scaleTargetRef.name));
    const ingresses = byKind(objects, "Ingress");
    assert.equal(ingresses.length, 2);
    for (const ing of ingresses) {
      for (const path of ing.spec.rules.flatMap((r) => r.http.paths)) {
        const svc = named(objects, "Service", path.backend.service.name);
        assert.equal(svc?.metadata.name, "gateway");
        assert.ok(svc.spec.ports.some((p) => p.name === path.backend.service.port.name));
      }
    }
    if (overlay === "prod") for (const ing of ingresses) assert.equal(ing.spec.tls?.[0]?.secretName, "gridbill-tls");
  });

  test(`${overlay}: each database is a CloudNativePG cluster reached only from its service`, () => {
    const clusters = byKind(objects, "Cluster");
    assert.deepEqual(clusters.map((c) => c.metadata.name).sort(), suite.map((s) => `${s}-db`).sort());
    for (const c of clusters) {
      const svc = c.metadata.name.replace(/-db$/, "");
      const d = named(objects, "Deployment", svc);
      const url = d.spec.template.spec.containers[0].env.find((e) => e.name === "GRIDBILL_DATABASE_URL");
      assert.equal(url.valueFrom.secretKeyRef.name, `${c.metadata.name}-runtime`, `${svc} connects as its runtime role`);
      assert.equal(url.valueFrom.secretKeyRef.key, "uri");
      // The operator makes the runtime role from that Secret: a login role,
      // not the owner (bootstrap.initdb.owner), not a superuser.
      const roles = c.spec.managed?.roles ?? [];
      assert.deepEqual(roles.map((r) => r.name), [`${svc}_app`], `${c.metadata.name}: managed roles`);
      assert.equal(roles[0].login, true);
      assert.notEqual(roles[0].superuser, true);
      assert.equal(roles[0].passwordSecret?.name, `${c.metadata.name}-runtime`);
      assert.notEqual(c.spec.bootstrap.initdb.owner, `${svc}_app`);
      const secret = named(objects, "Secret", `${c.metadata.name}-runtime`);
      if (overlay === "dev") {
        assert.equal(secret?.type, "kubernetes.io/basic-auth", `${svc}: runtime Secret`);
        const data = Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));
        assert.equal(data.username, `${svc}_app`);
        const u = new URL(data.uri);
        assert.equal(u.username, `${svc}_app`, `${svc}: the uri's user`);
        assert.equal(u.password, data.password, `${svc}: the uri's password`);
        assert.equal(u.hostname, `${c.metadata.name}-rw`, `${svc}: the cluster's read-write Service`);
      } else {
        assert.equal(secret, undefined, `${svc}: prod's runtime Secret is made outside`);
      }
      const pols = byKind(objects, "NetworkPolicy").filter((n) => selects(n.spec.podSelector, { "cnpg.io/cluster": c.metadata.name }) && Object.keys(n.spec.podSelector.matchLabels ?? {}).length > 0);
      assert.equal(pols.length, 1, `one NetworkPolicy for ${c.metadata.name}`);
      const onPg = pols[0].spec.ingress.filter((r) => r.ports.some((p) => p.port === 5432));
      const admittedServices = byKind(objects, "Deployment").filter((x) =>
        onPg.some((r) => r.from.some((f) => f.podSelector && !f.namespaceSelector && selects(f.podSelector, x.spec.template.metadata.labels))));
      assert.deepEqual(admittedServices.map((x) => x.metadata.name), [svc]);
      if (overlay === "prod") {
        assert.equal(c.spec.instances, 3);
        assert.ok(c.spec.backup?.barmanObjectStore?.destinationPath);
        assert.ok(c.spec.backup?.retentionPolicy);
        const sb = byKind(objects, "ScheduledBackup").find((b) => b.spec.cluster.name === c.metadata.name);
        assert.ok(sb, `scheduled backup of ${c.metadata.name}`);
      } else {
        assert.equal(c.spec.instances, 1);
      }
    }
  });

  test(`${overlay}: every Secret a pod reads exists or is made outside (documented)`, () => {
    const rendered = new Set(byKind(objects, "Secret").map((s) => s.metadata.name));
    for (const c of byKind(objects, "Cluster")) rendered.add(`${c.metadata.name}-app`);
    const external = overlay === "prod" ? new Set(prodExternalSecrets) : new Set();
    const refs = [];
    const walk = (x) => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === "object") {
        if (x.secretKeyRef) refs.push(x.secretKeyRef.name);
        if (x.secretName) refs.push(x.secretName);
        if (x.secret?.secretName) refs.push(x.secret.secretName);
        Object.values(x).forEach(walk);
      }
    };
    walk(objects.filter((o) => o.kind !== "Secret"));
    for (const r of refs) assert.ok(rendered.has(r) || external.has(r), `Secret ${r} is neither rendered nor documented`);
  });
}

test("components/mtls: every service mounts its own certificate from cert-manager", () => {
  // The prod overlay with the component added (an operator's overlay).
  const dir = mkdtempSync(`${tmpdir()}/gridbill-mtls-`);
  writeFileSync(`${dir}/kustomization.yaml`, [
    "apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization",
    `resources: ["${relative(dir, `${repoRoot}deploy/k8s/overlays/prod`)}"]`,
    `components: ["${relative(dir, `${repoRoot}deploy/k8s/components/mtls`)}"]`, ""].join("\n"));
  let objects;
  try {
    objects = kustomize(dir);
  } finally {
    rmSync(dir, { recursive: true });
  }
  assert.deepEqual(structuralProblems(objects), []);
  const certs = byKind(objects, "Certificate");
  for (const svc of suite) {
    const spec = named(objects, "Deployment", svc).spec.template.spec;
    const c = spec.containers[0];
    const mount = c.volumeMounts?.find((m) => m.mountPath === "/etc/gridbill/mtls");
    assert.ok(mount, `${svc}: mounts its certificate`);
    assert.equal(spec.volumes.find((v) => v.name === mount.name)?.secret?.secretName, `${svc}-mtls`, svc);
    const env = Object.fromEntries(c.env.filter((e) => e.value).map((e) => [e.name, e.value]));
    for (const k of ["CERT", "KEY", "CA"]) assert.match(env[`GRIDBILL_MTLS_${k}_FILE`] ?? "", /^\/etc\/gridbill\/mtls\//, `${svc}: GRIDBILL_MTLS_${k}_FILE`);
    const cert = certs.find((x) => x.spec.secretName === `${svc}-mtls`);
    assert.ok(cert, `${svc}: a Certificate`);
    assert.ok(cert.spec.dnsNames.includes(svc) && cert.spec.usages.includes("client auth") && cert.spec.usages.includes("server auth"), svc);
  }
});

test("the structural checks catch what they are for", () => {
  // A broken copy of the dev rendering: each change must be reported.
  const dev = kustomize(`${repoRoot}deploy/k8s/overlays/dev`);
  const fresh = () => structuredClone(dev);
  const breakages = [
    ["probe", (o) => delete named(o, "Deployment", "metering").spec.template.spec.containers[0].livenessProbe, /metering\/service: no livenessProbe/],
    ["root fs", (o) => (named(o, "Deployment", "balance").spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false), /balance\/service: root filesystem/],
    ["limits", (o) => delete named(o, "Deployment", "gateway").spec.template.spec.containers[0].resources.limits, /gateway\/service: cpu request and limit/],
    ["service port", (o) => (named(o, "Service", "contracts").spec.ports[0].targetPort = "grpcx"), /port grpcx does not exist/],
    ["caller", (o) => named(o, "NetworkPolicy", "contracts").spec.ingress[0].from.pop(), /does not admit its caller forecasting/],
    ["forecasting reads invoicing's VAT rates", (o) => {
      const from = named(o, "NetworkPolicy", "invoicing").spec.ingress[0].from;
      from.splice(from.findIndex((f) => f.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "forecasting"), 1);
    }, /invoicing: NetworkPolicy does not admit its caller forecasting/],
    ["stranger", (o) => named(o, "NetworkPolicy", "invoicing").spec.ingress[0].from.push({ podSelector: { matchLabels: { "app.kubernetes.io/name": "metering" } } }), /admits metering, which does not call it/],
    ["pdb", (o) => o.splice(o.indexOf(named(o, "PodDisruptionBudget", "balance")), 1), /balance: no PodDisruptionBudget/],
    ["secret in configmap", (o) => (byKind(o, "ConfigMap")[0].data.GRIDBILL_IDENTITY_SECRET = "x"), /looks like a secret/],
    ["owner in service", (o) => named(o, "Deployment", "balance").spec.template.spec.containers[0].env.push({ name: "GRIDBILL_DATABASE_OWNER_URL", valueFrom: { secretKeyRef: { name: "balance-db-app", key: "uri" } } }), /balance\/service: the service holds the database owner's URL/],
    ["init root fs", (o) => (named(o, "Deployment", "metering").spec.template.spec.initContainers[0].securityContext.readOnlyRootFilesystem = false), /metering\/init migrate: root filesystem/],
    ["owner url in plain text", (o) => (named(o, "Deployment", "contracts").spec.template.spec.initContainers[0].env[1] = { name: "GRIDBILL_DATABASE_OWNER_URL", value: "postgresql://app:x@contracts-db-rw/app" }), /contracts\/init migrate: GRIDBILL_DATABASE_OWNER_URL is not read from a Secret/],
    ["grace", (o) => (named(o, "Deployment", "invoicing").spec.template.spec.terminationGracePeriodSeconds = 12), /terminationGracePeriodSeconds 12/],
  ];
  for (const [what, breakIt, expected] of breakages) {
    const objects = fresh();
    breakIt(objects);
    const problems = structuralProblems(objects).join("\n");
    assert.match(problems, expected, what);
  }
});

test("the schema check rejects wrong types and misspelt fields", () => {
  const dev = kustomize(`${repoRoot}deploy/k8s/overlays/dev`);
  const cases = [
    ["replicas as text", (d) => (d.spec.replicas = "two"), /replicas must be integer/],
    ["lifecycl", (d) => (d.spec.template.spec.containers[0].lifecycl = {}), /unknown fields: .*containers\[0\]\.lifecycl/],
    ["readinesProbe", (d) => (d.spec.template.spec.containers[0].readinesProbe = {}), /readinesProbe/],
    ["a probe's prot", (d) => (d.spec.template.spec.containers[0].livenessProbe.grpc.prot = 1), /grpc\.prot/],
  ];
  for (const [what, change, expected] of cases) {
    const d = structuredClone(named(dev, "Deployment", "contracts"));
    change(d);
    assert.throws(() => validateSchema(d), expected, what);
  }
});
