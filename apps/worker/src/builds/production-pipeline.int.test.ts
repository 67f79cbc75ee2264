import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseExists } from "../postgres";
import { createPipelineHarness, type PipelineHarness } from "../testing/pipeline-harness";
import { fixtureAddon, type Tree } from "../testing/tree-repo";

const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
let h: PipelineHarness;

const v1 = fixtureAddon("green_addon");
const withVersion = (tree: Tree, version: string): Tree => ({
  ...tree,
  "addons/green_addon/__manifest__.py": tree["addons/green_addon/__manifest__.py"]!.replace("'version': '1.0'", `'version': '${version}'`),
});
// Version 1.1 whose update fails: a data file with a record on a model that does not exist.
const brokenV11: Tree = {
  ...withVersion(v1, "1.1"),
  "addons/green_addon/__manifest__.py": withVersion(v1, "1.1")["addons/green_addon/__manifest__.py"]!.replace(
    "'views/green_views.xml',",
    "'views/green_views.xml',\n        'views/broken.xml',",
  ),
  "addons/green_addon/views/broken.xml": `<?xml version="1.0" encoding="utf-8"?>\n<odoo>\n    <record id="broken_record" model="no.such.model">\n        <field name="name">x</field>\n    </record>\n</odoo>\n`,
};

/**
 * One health probe through Caddy, as a browser makes it: a connection reset before any response
 * (Caddy swapping its config while the route changes) is retried once on a new connection.
 */
function probe(host: string): Promise<number | string> {
  const once = () => h.get(host, "/web/health").then((r) => r.status);
  return once()
    .catch((e: Error & { code?: string }) => (e.code === "ECONNRESET" ? once() : Promise.reject(e)))
    .catch((e: Error) => `error: ${e.message}`);
}

/** Polls the production hostname through Caddy while `work` runs; returns every status seen. */
async function watchHealth<T>(host: string, work: () => Promise<T>): Promise<{ result: T; statuses: (number | string)[] }> {
  const statuses: (number | string)[] = [];
  let done = false;
  const poller = (async () => {
    while (!done) {
      statuses.push(await probe(host));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const result = await work().finally(() => (done = true));
  await poller;
  // One more look once the build has ended (a request in flight may have started just before).
  statuses.push(await probe(host));
  return { result, statuses };
}

/** `200×12 503×40 200×3`: runs of equal statuses. */
function summarize(statuses: (number | string)[]): string {
  const runs: [number | string, number][] = [];
  for (const s of statuses) {
    const last = runs.at(-1);
    if (last && last[0] === s) last[1]++;
    else runs.push([s, 1]);
  }
  return runs.map(([s, n]) => `${s}×${n}`).join(" ");
}

beforeAll(async () => {
  h = await createPipelineHarness({ prefix: "prod", image, env: process.env });
});

afterAll(async () => {
  await h?.close();
});

describe("production builds", () => {
  let firstId = "";
  const host = () => `${h.slug}.slipway.localhost`;

  it("first build: creates the database without demo data, installs the modules, serves prefork at <project>.<base>", async () => {
    const build = await h.pushAndBuild("main", v1, { stage: "production" });
    expect(build.failureReason).toBeNull();
    expect(build).toMatchObject({ stage: "production", state: "running", result: "green", databaseName: h.slug, hostname: host() });
    firstId = build.id;
    const mods = await h.sql<{ state: string; latest_version: string }>(
      h.slug,
      "SELECT state, latest_version FROM ir_module_module WHERE name = 'green_addon'",
    );
    expect(mods).toEqual([{ state: "installed", latest_version: "17.0.1.0" }]);
    expect(await h.sql(h.slug, "SELECT id FROM green_item")).toEqual([]); // no demo record
    expect((await h.get(host(), "/web/health")).status).toBe(200);
    const checksums = await h.sql<{ value: string }>(
      h.slug,
      "SELECT value FROM ir_config_parameter WHERE key = 'slipway.module_checksums'",
    );
    expect(Object.keys(JSON.parse(checksums[0]!.value))).toEqual(["green_addon"]);
  });

  it("a failing update is rolled back: data written before it is all there, production kept serving (200 or maintenance 503 only)", async () => {
    await h.sql(h.slug, "INSERT INTO ir_config_parameter (key, value) VALUES ('test.written_before_update', 'precious')");
    await h.sql(h.slug, "INSERT INTO green_item (name, qty, double_qty) VALUES ('kept', 21, 42)");
    const { result: build, statuses } = await watchHealth(host(), () => h.pushAndBuild("main", brokenV11));
    expect(build).toMatchObject({ state: "failed", result: "red" });
    expect(build.modulesToUpdate).toEqual(["green_addon"]);
    expect(build.failureReason).toMatch(/rolled back/);
    expect(build.steps.find((s) => s.name === "update")?.state).toBe("failed");
    // Nothing lost: the row, the parameter, the installed version.
    expect(await h.sql(h.slug, "SELECT value FROM ir_config_parameter WHERE key = 'test.written_before_update'")).toEqual([
      { value: "precious" },
    ]);
    expect(await h.sql(h.slug, "SELECT name, qty FROM green_item")).toEqual([{ name: "kept", qty: 21 }]);
    expect(await h.sql(h.slug, "SELECT latest_version FROM ir_module_module WHERE name = 'green_addon'")).toEqual([
      { latest_version: "17.0.1.0" },
    ]);
    // The previous build serves again; visitors only ever saw production or the maintenance page.
    expect((await h.prisma.build.findUniqueOrThrow({ where: { id: firstId } })).state).toBe("running");
    expect(new Set(statuses.filter((s) => s !== 200 && s !== 503))).toEqual(new Set());
    expect(statuses).toContain(503);
    console.log(`health during the failed update: ${summarize(statuses)}`);
    expect(statuses.at(-1)).toBe(200);
    expect((await h.get(host(), "/web/health")).status).toBe(200);
    // A manifest version change: an update backup was recorded first.
    const backups = await h.prisma.backup.findMany({ where: { buildId: build.id } });
    expect(backups.map((b) => [b.kind, b.state])).toEqual([["update", "done"]]);
    expect(await databaseExists({ pg: await h.deps.postgres(), name: `${h.slug}_pre_${build.number}` })).toBe(false);
  });

  it("a good update runs behind the maintenance page, then the new build serves and the previous one stops", async () => {
    const { result: build, statuses } = await watchHealth(host(), () => h.pushAndBuild("main", withVersion(v1, "1.1")));
    expect(build.failureReason).toBeNull();
    expect(build).toMatchObject({ state: "running", modulesToUpdate: ["green_addon"] });
    expect(await h.sql(h.slug, "SELECT latest_version FROM ir_module_module WHERE name = 'green_addon'")).toEqual([
      { latest_version: "17.0.1.1" },
    ]);
    expect(await h.sql(h.slug, "SELECT name FROM green_item")).toEqual([{ name: "kept" }]);
    expect((await h.prisma.build.findUniqueOrThrow({ where: { id: firstId } })).state).toBe("stopped");
    expect(new Set(statuses.filter((s) => s !== 200 && s !== 503))).toEqual(new Set());
    expect((await h.get(host(), "/web/health")).status).toBe(200);
    expect(await databaseExists({ pg: await h.deps.postgres(), name: `${h.slug}_pre_${build.number}` })).toBe(true);
  });

  it("a push without module changes switches servers without a maintenance window", async () => {
    const tree = withVersion(v1, "1.1");
    tree["addons/green_addon/README.md"] = "docs only\n";
    const { result: build, statuses } = await watchHealth(host(), () => h.pushAndBuild("main", tree));
    expect(build).toMatchObject({ state: "running", modulesToUpdate: [] });
    expect(build.steps.find((s) => s.name === "maintenance")?.state).toBe("skipped");
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});
