import { describe, expect, it } from "vitest";
import { odooDumpManifest, odooMajorOf, odooSeriesOf } from "./manifest";

describe("Odoo versions", () => {
  it("reads the series from base's latest_version and the major from any version string", () => {
    expect(odooSeriesOf("17.0.1.3")).toBe("17.0");
    expect(odooSeriesOf("saas~17.2.1.0")).toBe("saas~17.2");
    expect(odooSeriesOf(null)).toBeNull();
    expect([odooMajorOf("17.0"), odooMajorOf("saas~17.2"), odooMajorOf("16.0+e"), odooMajorOf("")]).toEqual([17, 17, 16, null]);
  });

  it("writes manifest.json like Odoo's dump_db_manifest (pg_version as Odoo computes it)", () => {
    const manifest = {
      database: "acme",
      odoo: { version: "17.0", modules: { base: "17.0.1.3" } },
      postgres: { versionNum: 150018, collate: "C", ctype: "C" },
    };
    expect(odooDumpManifest(manifest)).toEqual({
      odoo_dump: "1",
      db_name: "acme",
      version: "17.0",
      version_info: [17, 0, 0, "final", 0, ""],
      major_version: "17.0",
      pg_version: "15.0",
      modules: { base: "17.0.1.3" },
    });
  });
});
