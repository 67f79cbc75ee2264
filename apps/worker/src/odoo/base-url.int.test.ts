// Issue 15 item 4: each build's Odoo knows the address users reach it at. web.base.url is the
// build's URL through the proxy, frozen so that Odoo does not rewrite it when an administrator
// logs in from another host; a staging copy of production links to the staging build.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildUrl } from "@slipway/domain";
import { createPipelineHarness, type PipelineHarness } from "../testing/pipeline-harness";
import { fixtureAddon } from "../testing/tree-repo";

const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
let h: PipelineHarness;

beforeAll(async () => {
  h = await createPipelineHarness({ prefix: "burl", image, env: process.env });
}, 300_000);

afterAll(async () => {
  await h?.close();
});

const baseUrlOf = async (database: string) =>
  Object.fromEntries(
    (
      await h.sql<{ key: string; value: string }>(
        database,
        "SELECT key, value FROM ir_config_parameter WHERE key IN ('web.base.url', 'web.base.url.freeze')",
      )
    ).map((r) => [r.key, r.value]),
  );

describe("web.base.url", () => {
  it("is the build's own URL, frozen, for production and for a staging copy of it", async () => {
    const prod = await h.pushAndBuild("main", fixtureAddon("green_addon"), { stage: "production" });
    expect(prod).toMatchObject({ state: "running", result: "green" });
    const prodUrl = buildUrl({ hostname: prod.hostname!, proxyPort: h.deps.config.proxyPort });
    expect(await baseUrlOf(prod.databaseName!)).toEqual({ "web.base.url": prodUrl, "web.base.url.freeze": "True" });

    const staging = await h.pushAndBuild("staging-1", fixtureAddon("green_addon"), { stage: "staging" });
    expect(staging).toMatchObject({ state: "running", result: "green" });
    const stagingUrl = buildUrl({ hostname: staging.hostname!, proxyPort: h.deps.config.proxyPort });
    expect(stagingUrl).not.toBe(prodUrl);
    expect(await baseUrlOf(staging.databaseName!)).toEqual({ "web.base.url": stagingUrl, "web.base.url.freeze": "True" });
    // Production's own value is untouched by the copy.
    expect((await baseUrlOf(prod.databaseName!))["web.base.url"]).toBe(prodUrl);
  }, 600_000);
});
