// Local images, built without any registry: a Debian base from debootstrap, then ordinary
// Dockerfiles FROM it (legacy builder). An image is rebuilt only when its build context, build
// arguments or base image changed (a content hash kept as an image label).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { spawn } from "node:child_process";
import path from "node:path";
import { must, run } from "./proc.mjs";

export const BASE_IMAGE = "slipway/debian:bookworm";
const HASH_LABEL = "org.slipway.context-hash";

/** The images the platform builds, in dependency order. */
export const IMAGES = [
  { name: "slipway/postgres:15", context: "docker/postgres" },
  { name: "slipway/odoo-standin:17.0", context: "docker/odoo-standin", buildArgs: { ODOO_SERIES: "17.0" } },
  { name: "slipway/odoo-standin:16.0", context: "docker/odoo-standin", buildArgs: { ODOO_SERIES: "16.0" } },
  { name: "slipway/odoo-standin:18.0", context: "docker/odoo-standin", buildArgs: { ODOO_SERIES: "18.0" } },
];

function debianMirror() {
  for (const f of ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"]) {
    if (!existsSync(f)) continue;
    const text = readFileSync(f, "utf8");
    const m = /^URIs:\s*(http\S+\/debian)\s*$/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(http\S+\/debian)\s+bookworm\s/m.exec(text);
    if (m) return m[1];
  }
  return "http://deb.debian.org/debian";
}

function contextHash(dir, extra) {
  const h = createHash("sha256");
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      if (name === "__pycache__" || name.endsWith(".pyc")) continue;
      const p = path.join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else h.update(path.relative(dir, p)).update("\0").update(readFileSync(p)).update("\0");
    }
  };
  walk(dir);
  h.update(JSON.stringify(extra));
  return h.digest("hex").slice(0, 32);
}

async function imageLabel(name, label) {
  const r = await run("docker", ["image", "inspect", "--format", `{{ index .Config.Labels "${label}" }}|{{ .Id }}`, name]);
  if (r.code !== 0) return null;
  const [value, id] = r.stdout.trim().split("|");
  return { value, id };
}

async function ensureBase({ home, log }) {
  const have = await run("docker", ["image", "inspect", "--format", "{{ .Id }}", BASE_IMAGE]);
  if (have.code === 0) return have.stdout.trim();
  const rootfs = path.join(home, "rootfs-bookworm");
  rmSync(rootfs, { recursive: true, force: true });
  const mirror = debianMirror();
  log(`images: debootstrap bookworm from ${mirror} (about 30 s)`);
  await must("debootstrap", ["--variant=minbase", "bookworm", rootfs, mirror]);
  log(`images: importing ${BASE_IMAGE}`);
  await new Promise((resolve, reject) => {
    const tar = spawn("tar", ["-C", rootfs, "-c", "."], { stdio: ["ignore", "pipe", "inherit"] });
    const imp = spawn("docker", ["import", "-c", 'CMD ["/bin/bash"]', "-", BASE_IMAGE], { stdio: ["pipe", "ignore", "inherit"] });
    tar.stdout.pipe(imp.stdin);
    imp.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`docker import exited ${code}`))));
    tar.on("error", reject);
    imp.on("error", reject);
  });
  rmSync(rootfs, { recursive: true, force: true });
  return (await must("docker", ["image", "inspect", "--format", "{{ .Id }}", BASE_IMAGE])).stdout.trim();
}

/** Ensures the base image and every platform image exist and are current. */
export async function ensureImages({ root, home, log, only }) {
  const baseId = await ensureBase({ home, log });
  for (const img of IMAGES) {
    if (only && !only.includes(img.name)) continue;
    const dir = path.join(root, img.context);
    if (!existsSync(path.join(dir, "Dockerfile"))) throw new Error(`${img.context}/Dockerfile is missing`);
    const hash = contextHash(dir, { args: img.buildArgs ?? {}, baseId });
    const current = await imageLabel(img.name, HASH_LABEL);
    if (current?.value === hash) continue;
    log(`images: building ${img.name} from ${img.context}`);
    const args = ["build", "-q", "--label", `${HASH_LABEL}=${hash}`, "-t", img.name];
    for (const [k, v] of Object.entries(img.buildArgs ?? {})) args.push("--build-arg", `${k}=${v}`);
    const t0 = Date.now();
    await must("docker", [...args, dir], { env: { ...process.env, DOCKER_BUILDKIT: "0" } });
    log(`images: ${img.name} built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}
