// Builds the local images a production install needs, without any registry (infra/install.sh):
// the Debian base (debootstrap + docker import) and the managed PostgreSQL image of Odoo's
// databases; with --standin also the stand-in Odoo images (trials on servers without a registry).
// Reuses scripts/lib/images.mjs (an image is rebuilt only when its context changed).
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureImages, IMAGES } from "../../scripts/lib/images.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const { values } = parseArgs({
  options: { standin: { type: "boolean", default: false }, home: { type: "string", default: "/var/lib/slipway" } },
});
const only = IMAGES.map((i) => i.name).filter((name) => values.standin || !name.startsWith("slipway/odoo-standin:"));
const home = path.join(values.home, "tmp", "images");
mkdirSync(home, { recursive: true });
const t0 = Date.now();
await ensureImages({ root, home, only, log: (m) => console.log(`[slipway] ${m}`) });
console.log(`[slipway] images ready (${only.join(", ")}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
