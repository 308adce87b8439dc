// Shared by the manifest tests: render with kubectl, parse, validate against
// the Kubernetes schemas (kubernetes-models), and the structural checks every
// rendering of Gridbill must pass (the kustomize overlays and the chart).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import * as k8s from "kubernetes-models";

export const repoRoot = new URL("../../", import.meta.url).pathname;

export function parseDocs(text) {
  const objects = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`YAML: ${doc.errors[0].message}`);
    const o = doc.toJS();
    if (o != null) objects.push(o);
  }
  return objects;
}

export function kustomize(dir) {
  const objects = parseDocs(execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8" }));
  // kustomize folds long base64 values of a Secret over lines; the API
  // server's decoder skips the line breaks, the schema's "byte" format not.
  for (const s of objects.filter((o) => o.kind === "Secret" && o.data)) {
    for (const k of Object.keys(s.data)) s.data[k] = String(s.data[k]).replace(/\s+/g, "");
  }
  return objects;
}

// kubernetes-models' class for an apiVersion/kind, or nothing for a custom
// resource (CloudNativePG, Prometheus Operator).
const groupModules = {
  v1: k8s.v1,
  apps: k8s.apps,
  policy: k8s.policy,
  autoscaling: k8s.autoscaling,
  batch: k8s.batch,
  "networking.k8s.io": k8s.networkingK8sIo,
};
export function modelFor(obj) {
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["v1", obj.apiVersion];
  const mod = groupModules[group];
  if (!mod) return null;
  const ns = group === "v1" ? mod : mod[version];
  return ns?.[obj.kind] ?? null;
}

// The fields each Kubernetes type has, read from kubernetes-models' type
// declarations (its validators check types, required fields and enums but
// let unknown fields through: a misspelt `lifecycl:` would pass them).
const shapes = new Map();
function shapeOf(dts) {
  if (shapes.has(dts)) return shapes.get(dts);
  let text;
  try {
    text = readFileSync(dts, "utf8");
  } catch {
    shapes.set(dts, null);
    return null;
  }
  const imports = new Map();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) imports.set(m[1], m[2]);
  const body = text.match(/^export interface \w+(?: extends [^{]+)? \{\n([\s\S]*?)^\}/m);
  if (!body) {
    shapes.set(dts, null);  // a type alias (IntOrString, Quantity): a leaf
    return null;
  }
  const props = new Map();
  for (const m of body[1].matchAll(/^    "([^"]+)"\??: (.*)$/gm)) {
    const ref = m[2].match(/^(?:Array<)?(I\w+)>?;$/);
    let child = null;
    if (ref && imports.has(ref[1])) {
      const spec = imports.get(ref[1]);
      const js = spec.startsWith(".") ? join(dirname(dts), spec) : fileURLToPath(import.meta.resolve(spec));
      child = js.replace(/\.js$/, "") + ".d.ts";
    }
    props.set(m[1], child);
  }
  const shape = { props };
  shapes.set(dts, shape);
  return shape;
}

function unknownFields(value, dts, path, out) {
  const shape = dts && shapeOf(dts);
  if (!shape || value === null || typeof value !== "object") return out;
  if (Array.isArray(value)) {
    value.forEach((v, i) => unknownFields(v, dts, `${path}[${i}]`, out));
    return out;
  }
  for (const [k, v] of Object.entries(value)) {
    if (!shape.props.has(k)) out.push(`${path}.${k}`);
    else unknownFields(v, shape.props.get(k), `${path}.${k}`, out);
  }
  return out;
}

function declarationOf(obj) {
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["v1", obj.apiVersion];
  const spec = group === "v1" ? `kubernetes-models/v1/${obj.kind}` : `kubernetes-models/${group}/${version}/${obj.kind}`;
  return fileURLToPath(import.meta.resolve(spec)).replace(/\.js$/, "") + ".d.ts";
}

// Throws with every schema error of `obj` (types, required fields, enums,
// and fields the type does not have); returns false for a kind with no
// schema here (custom resources), true when validated.
export function validateSchema(obj) {
  const Model = modelFor(obj);
  if (!Model) return false;
  new Model(obj).validate();
  const unknown = unknownFields(obj, declarationOf(obj), obj.kind, []);
  if (unknown.length > 0) throw new Error(`unknown fields: ${unknown.join(", ")}`);
  return true;
}

export const byKind = (objects, kind) => objects.filter((o) => o.kind === kind);
export const named = (objects, kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);

// Whether `selector` (matchLabels or a plain map) selects `labels`.
export function selects(selector, labels) {
  const match = selector?.matchLabels ?? selector ?? {};
  if (selector?.matchExpressions?.length) throw new Error("matchExpressions are not checked here");
  return Object.entries(match).every(([k, v]) => labels?.[k] === v);
}

const quantityUnits = { m: 1e-3, "": 1, k: 1e3, Ki: 1024, M: 1e6, Mi: 1024 ** 2, G: 1e9, Gi: 1024 ** 3 };
export function quantity(q) {
  const m = String(q).match(/^([0-9.]+)([a-zA-Z]*)$/);
  if (!m || !(m[2] in quantityUnits)) throw new Error(`quantity ${q}`);
  return Number(m[1]) * quantityUnits[m[2]];
}

function seconds(text) {
  const m = String(text).match(/^([0-9.]+)(ms|s|m)$/);
  if (!m) throw new Error(`duration ${text}`);
  return Number(m[1]) * { ms: 1e-3, s: 1, m: 60 }[m[2]];
}

// The pod's configuration as the service reads it: ConfigMap entries
// (envFrom) and plain env values.
export function podSettings(objects, podSpec) {
  const c = podSpec.containers[0];
  const settings = {};
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef) Object.assign(settings, named(objects, "ConfigMap", from.configMapRef.name)?.data ?? {});
  }
  for (const e of c.env ?? []) if (e.value !== undefined) settings[e.name] = e.value;
  return settings;
}

export const recommendedLabels = [
  "app.kubernetes.io/name",
  "app.kubernetes.io/instance",
  "app.kubernetes.io/version",
  "app.kubernetes.io/component",
  "app.kubernetes.io/part-of",
];

// Names of env variables and ConfigMap keys that hold secrets.
export const secretName = /SECRET|PASSWORD|TOKEN|DATABASE_(OWNER_)?URL|PRIVATE|CREDENTIAL|_KEY$/i;

// A NetworkPolicy that admits nothing to the pods it selects.
const denyAll = (n) => (n.spec.policyTypes ?? ["Ingress"]).includes("Ingress") && (n.spec.ingress ?? []).length === 0;

// Every check on a rendered suite; returns a list of problems (empty = good).
export function structuralProblems(objects) {
  const problems = [];
  const bad = (what) => problems.push(what);
  const deployments = byKind(objects, "Deployment");
  const services = byKind(objects, "Service");
  const netpols = byKind(objects, "NetworkPolicy");
  const pdbs = byKind(objects, "PodDisruptionBudget");
  if (deployments.length === 0) bad("no Deployment rendered");

  for (const d of deployments) {
    const name = d.metadata.name;
    const pod = d.spec.template;
    const spec = pod.spec;
    for (const l of recommendedLabels) {
      if (!d.metadata.labels?.[l]) bad(`${name}: Deployment lacks label ${l}`);
      if (!pod.metadata.labels?.[l]) bad(`${name}: pod template lacks label ${l}`);
    }
    if (!selects(d.spec.selector, pod.metadata.labels)) bad(`${name}: selector does not select its pods`);
    const psc = spec.securityContext ?? {};
    if (psc.runAsNonRoot !== true) bad(`${name}: pod runAsNonRoot is not true`);
    if (psc.seccompProfile?.type !== "RuntimeDefault") bad(`${name}: seccomp is not RuntimeDefault`);
    if (!spec.topologySpreadConstraints?.some((t) => t.topologyKey === "kubernetes.io/hostname"))
      bad(`${name}: no topology spread across nodes`);
    const settings = podSettings(objects, spec);
    // Init containers (migrations): locked down as the service, secrets
    // from Secrets, requests and limits.
    for (const c of spec.initContainers ?? []) {
      const where = `${name}/init ${c.name}`;
      const sc = c.securityContext ?? {};
      if (sc.readOnlyRootFilesystem !== true) bad(`${where}: root filesystem not read-only`);
      if (sc.allowPrivilegeEscalation !== false) bad(`${where}: privilege escalation not disabled`);
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) bad(`${where}: capabilities not all dropped`);
      if (sc.privileged === true || sc.runAsUser === 0) bad(`${where}: privileged or root`);
      for (const r of ["cpu", "memory"]) {
        if (!c.resources?.requests?.[r] || !c.resources?.limits?.[r]) bad(`${where}: ${r} request and limit not both set`);
      }
      for (const e of c.env ?? []) {
        if (secretName.test(e.name) && !e.name.endsWith("_FILE") && !e.valueFrom?.secretKeyRef)
          bad(`${where}: ${e.name} is not read from a Secret`);
      }
    }
    for (const c of spec.containers) {
      const where = `${name}/${c.name}`;
      const sc = c.securityContext ?? {};
      if (sc.readOnlyRootFilesystem !== true) bad(`${where}: root filesystem not read-only`);
      if (sc.allowPrivilegeEscalation !== false) bad(`${where}: privilege escalation not disabled`);
      if (sc.privileged === true) bad(`${where}: privileged`);
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) bad(`${where}: capabilities not all dropped`);
      if (sc.runAsUser === 0 || psc.runAsUser === 0) bad(`${where}: runs as root`);
      const grpcPort = c.ports?.find((p) => p.name === "grpc")?.containerPort;
      if (!grpcPort) bad(`${where}: no container port named grpc`);
      if (!c.ports?.some((p) => p.name === "metrics")) bad(`${where}: no container port named metrics`);
      for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        const p = c[probe];
        if (!p) bad(`${where}: no ${probe}`);
        else if (!p.grpc) bad(`${where}: ${probe} is not a gRPC (grpc.health.v1) probe`);
        else if (p.grpc.port !== grpcPort) bad(`${where}: ${probe} checks port ${p.grpc.port}, gRPC is ${grpcPort}`);
      }
      for (const r of ["cpu", "memory"]) {
        const req = c.resources?.requests?.[r];
        const lim = c.resources?.limits?.[r];
        if (!req || !lim) bad(`${where}: ${r} request and limit not both set`);
        else if (quantity(req) > quantity(lim)) bad(`${where}: ${r} request ${req} above limit ${lim}`);
      }
      // Endpoints drain before SIGTERM; the pod is killed only after the
      // pause and the service's own shutdown_grace.
      const pause = c.lifecycle?.preStop?.sleep?.seconds;
      if (!pause) bad(`${where}: no preStop pause`);
      const grace = settings.GRIDBILL_SHUTDOWN_GRACE ? seconds(settings.GRIDBILL_SHUTDOWN_GRACE) : 10;
      const period = spec.terminationGracePeriodSeconds ?? 30;
      if (!(period > (pause ?? 0) + grace))
        bad(`${where}: terminationGracePeriodSeconds ${period} not above preStop ${pause} + shutdown_grace ${grace}`);
      // Secrets come from Secrets.
      for (const e of c.env ?? []) {
        if (secretName.test(e.name) && !e.name.endsWith("_FILE") && !e.valueFrom?.secretKeyRef)
          bad(`${where}: ${e.name} is not read from a Secret`);
      }
      if ((c.env ?? []).some((e) => e.name === "GRIDBILL_DATABASE_OWNER_URL"))
        bad(`${where}: the service holds the database owner's URL (only migrations may)`);
      for (const m of c.volumeMounts ?? []) {
        if (!spec.volumes?.some((v) => v.name === m.name)) bad(`${where}: mounts unknown volume ${m.name}`);
      }
    }

    const mine = (o) => selects(o.spec.podSelector ?? o.spec.selector, pod.metadata.labels);
    if (!netpols.some((n) => mine(n) && !denyAll(n) && Object.keys(n.spec.podSelector?.matchLabels ?? {}).length > 0))
      bad(`${name}: no NetworkPolicy of its own`);
    // A default deny: a policy with no ingress rule over this pod (the
    // namespace's `podSelector: {}`, or the chart's, over its release).
    if (!netpols.some((n) => denyAll(n) && mine(n)))
      bad(`${name}: no default-deny NetworkPolicy over it`);
    if (!pdbs.some(mine)) bad(`${name}: no PodDisruptionBudget`);
    if (!services.some((s) => selects(s.spec.selector, pod.metadata.labels))) bad(`${name}: no Service`);
  }

  // Services select pods and name container ports that exist.
  for (const s of services) {
    const pods = deployments.filter((d) => selects(s.spec.selector, d.spec.template.metadata.labels));
    if (!s.spec.selector || pods.length === 0) {
      bad(`Service ${s.metadata.name} selects no pods`);
      continue;
    }
    for (const p of s.spec.ports) {
      if (!p.name) bad(`Service ${s.metadata.name}: port ${p.port} has no name`);
      if (typeof p.targetPort !== "string") bad(`Service ${s.metadata.name}: port ${p.name} targets no named port`);
      for (const d of pods) {
        if (!d.spec.template.spec.containers.some((c) => c.ports?.some((cp) => cp.name === p.targetPort)))
          bad(`Service ${s.metadata.name}: port ${p.targetPort} does not exist in ${d.metadata.name}`);
      }
    }
  }

  // Each service is reachable only from its callers: a Deployment calls the
  // Services whose name:port its settings name.
  const serviceOf = (d) => services.find((s) => selects(s.spec.selector, d.spec.template.metadata.labels));
  const callersOf = new Map();
  for (const d of deployments) {
    for (const value of Object.values(podSettings(objects, d.spec.template.spec))) {
      const m = String(value).match(/^([a-z0-9-]+):(\d+)$/);
      const target = m && services.find((s) => s.metadata.name === m[1]);
      if (!target) continue;
      if (!callersOf.has(target.metadata.name)) callersOf.set(target.metadata.name, new Set());
      callersOf.get(target.metadata.name).add(d);
    }
  }
  for (const d of deployments) {
    const svc = serviceOf(d);
    if (!svc) continue;
    const callers = callersOf.get(svc.metadata.name);
    const pols = netpols.filter((n) => Object.keys(n.spec.podSelector?.matchLabels ?? {}).length > 0 && selects(n.spec.podSelector, d.spec.template.metadata.labels));
    const rules = pols.flatMap((n) => n.spec.ingress ?? []);
    const grpcRules = rules.filter((r) => (r.ports ?? []).some((p) => p.port === "grpc"));
    if (!callers) {
      // Nobody inside calls it: it is the door (the gateway), open on its ports.
      continue;
    }
    for (const r of rules) {
      if (!r.from || r.from.length === 0) bad(`${d.metadata.name}: NetworkPolicy admits anyone (called only by ${[...callers].map((c) => c.metadata.name)})`);
    }
    for (const caller of callers) {
      if (!grpcRules.some((r) => r.from?.some((f) => f.podSelector && !f.namespaceSelector && selects(f.podSelector, caller.spec.template.metadata.labels))))
        bad(`${d.metadata.name}: NetworkPolicy does not admit its caller ${caller.metadata.name}`);
    }
    for (const r of grpcRules) {
      for (const f of r.from ?? []) {
        const admitted = deployments.filter((x) => f.podSelector && selects(f.podSelector, x.spec.template.metadata.labels));
        for (const x of admitted) {
          if (!callers.has(x) && x.metadata.labels["app.kubernetes.io/component"] !== "gateway")
            bad(`${d.metadata.name}: NetworkPolicy admits ${x.metadata.name}, which does not call it`);
        }
      }
    }
    if (!rules.some((r) => (r.ports ?? []).some((p) => p.port === "metrics") && r.from?.some((f) => f.namespaceSelector)))
      bad(`${d.metadata.name}: Prometheus cannot scrape it`);
  }

  // No Secret value in a ConfigMap.
  // (A role's user name is no secret: contracts_app is in metric names.)
  const secretValues = byKind(objects, "Secret").flatMap((s) => [
    ...Object.entries(s.stringData ?? {}).filter(([k]) => k !== "username").map(([, v]) => v),
    ...Object.entries(s.data ?? {}).filter(([k]) => k !== "username").map(([, v]) => Buffer.from(v, "base64").toString()),
  ]);
  for (const cm of byKind(objects, "ConfigMap")) {
    for (const [k, v] of Object.entries(cm.data ?? {})) {
      if (secretName.test(k) && !k.endsWith("_FILE")) bad(`ConfigMap ${cm.metadata.name}: key ${k} looks like a secret`);
      if (/:\/\/[^/\s:@]+:[^/\s@]+@/.test(v)) bad(`ConfigMap ${cm.metadata.name}: ${k} holds a URL with a password`);
      if (secretValues.some((s) => s.length >= 8 && String(v).includes(s))) bad(`ConfigMap ${cm.metadata.name}: ${k} holds a Secret's value`);
    }
  }
  return problems;
}
