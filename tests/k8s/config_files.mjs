// Writes, for every Deployment of a kustomize overlay, the settings its pod
// gets from ConfigMaps and plain env values as a Gridbill config file
// (`key = value`, keys without the GRIDBILL_ prefix): <dir>/<deployment>.conf.
// A config file is held to "every key is known" (unlike the environment),
// so starting a binary on it proves the ConfigMap names only real settings.
import { writeFileSync } from "node:fs";
import { byKind, kustomize, podSettings } from "./lib.mjs";

const [overlay, dir] = process.argv.slice(2);
const objects = kustomize(overlay);
for (const d of byKind(objects, "Deployment")) {
  const lines = Object.entries(podSettings(objects, d.spec.template.spec))
    .filter(([k]) => k.startsWith("GRIDBILL_"))
    .map(([k, v]) => `${k.slice("GRIDBILL_".length).toLowerCase()} = "${v}"`);
  writeFileSync(`${dir}/${d.metadata.name}.conf`, lines.join("\n") + "\n");
}
console.log(byKind(objects, "Deployment").map((d) => d.metadata.name).join(" "));
