// The esbuild bundle: dist/assets/<name>-<hash>.{js,css} (cached for a year
// by the gateway) and dist/index.html (revalidated) naming them. No inline
// script or style: the gateway's Content-Security-Policy forbids them.
import * as esbuild from "esbuild";
import { mkdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";

const dist = "dist";
rmSync(dist, { recursive: true, force: true });
mkdirSync(`${dist}/assets`, { recursive: true });

const result = await esbuild.build({
  entryPoints: { main: "src/main.tsx" },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "esm",
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir: `${dist}/assets`,
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});

const outputs = Object.keys(result.metafile.outputs);
const js = outputs.find((f) => f.endsWith(".js"));
const css = outputs.find((f) => f.endsWith(".css"));
const rel = (f) => "/" + path.relative(dist, f).split(path.sep).join("/");
writeFileSync(
  `${dist}/index.html`,
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gridbill</title>
${css ? `<link rel="stylesheet" href="${rel(css)}">` : ""}
<script type="module" src="${rel(js)}"></script>
</head>
<body>
<div id="app"><p class="boot">Gridbill…</p></div>
<noscript>Gridbill needs JavaScript.</noscript>
</body>
</html>
`,
);
const gz = gzipSync(readFileSync(js)).length;
console.log(`portal: ${rel(js)} ${(gz / 1024).toFixed(1)} kB gzip; dist/index.html`);
