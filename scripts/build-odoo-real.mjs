#!/usr/bin/env node
// Builds a real Odoo image from an Odoo source tree (a folder with odoo-bin and the odoo package),
// for machines without a registry:
//   node scripts/build-odoo-real.mjs <odoo-source-folder> [--tag slipway/odoo-real:17.0] [--series 17.0]
// The build context is a temporary folder of hard links (the source tree is not copied) holding
// docker/odoo-real/Dockerfile, the stand-in's entrypoint, wait-for-psql.py and odoo.conf (the
// official image's contract) and the source. Needs the Debian base image (`npm run services:up`).
import { cpSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { must, run, runInherit } from "./lib/proc.mjs";
import { BASE_IMAGE } from "./lib/images.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const series = option("--series", "17.0");
const tag = option("--tag", `slipway/odoo-real:${series}`);
const source = args[0] ? path.resolve(args[0]) : null;

if (!source || !existsSync(path.join(source, "odoo-bin")) || !existsSync(path.join(source, "odoo", "release.py"))) {
  console.error("usage: node scripts/build-odoo-real.mjs <odoo-source-folder> [--tag name:tag] [--series 17.0]");
  console.error("The folder must hold odoo-bin and the odoo package (odoo/release.py), e.g. an export of Odoo's 17.0 branch.");
  process.exit(2);
}
if ((await run("docker", ["image", "inspect", BASE_IMAGE])).code !== 0) {
  console.error(`${BASE_IMAGE} is missing: run \`npm run services:up\` first (it builds the Debian base image).`);
  process.exit(1);
}

const context = mkdtempSync(path.join(tmpdir(), "slipway-odoo-real-"));
try {
  const standin = path.join(root, "docker", "odoo-standin");
  cpSync(path.join(root, "docker", "odoo-real", "Dockerfile"), path.join(context, "Dockerfile"));
  for (const f of ["entrypoint.sh", "wait-for-psql.py", "odoo.conf"]) cpSync(path.join(standin, f), path.join(context, f));
  const src = path.join(context, "odoo-src");
  // Hard links when the source is on the same filesystem as the temporary folder, a copy otherwise.
  const sameDevice = statSync(source).dev === statSync(context).dev;
  await must("cp", [sameDevice ? "-al" : "-a", source, src]);
  await must("rm", ["-rf", path.join(src, ".git")]);
  // A git checkout of Odoo keeps most addons (web among them) in addons/ beside the odoo package;
  // a packaged tree (Odoo's nightly tarball) has them inside odoo/addons already. The image has one
  // addons folder, as the packaged Odoo does: the checkout's are moved into it (links in the context).
  const topAddons = path.join(src, "addons");
  if (existsSync(topAddons)) {
    const inside = path.join(src, "odoo", "addons");
    const moved = [];
    for (const name of readdirSync(topAddons)) {
      if (existsSync(path.join(inside, name))) continue;
      renameSync(path.join(topAddons, name), path.join(inside, name));
      moved.push(name);
    }
    console.log(`moved ${moved.length} addons from addons/ into odoo/addons`);
  }
  const started = Date.now();
  const code = await runInherit(
    "docker",
    ["build", "-t", tag, "--build-arg", `BASE=${BASE_IMAGE}`, "--build-arg", `ODOO_SERIES=${series}`, context],
    { env: { ...process.env, DOCKER_BUILDKIT: "0" } },
  );
  if (code !== 0) process.exit(code);
  console.log(`built ${tag} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} finally {
  rmSync(context, { recursive: true, force: true });
}
