import { describe, expect, it } from "vitest";
import { checkProjectSettings } from "../projects/update-project-settings";
import { parseBranchSettingsForm } from "./update-branch-settings";

describe("the branch Settings tab's form", () => {
  it("reads the development part: absent checkboxes are off, the rest as typed", () => {
    expect(
      parseBranchSettingsForm({
        slug: "s",
        branch: "b",
        pushBehavior: "do_nothing",
        developmentBehaviour: "1",
        installMode: "list",
        installModules: "a,b",
        testTags: "/a",
        odooVersion: "18.0",
        odooRevision: "",
      }),
    ).toEqual({
      pushBehavior: "do_nothing",
      useDefault: false,
      installMode: "list",
      installModules: "a,b",
      testsEnabled: false,
      testTags: "/a",
      odooVersion: "18.0",
      odooRevision: "",
    });
  });

  it("a staging form carries only its behaviour; unknown choices are refused", () => {
    expect(parseBranchSettingsForm({ pushBehavior: "update_previous" })).toEqual({ pushBehavior: "update_previous" });
    expect(() => parseBranchSettingsForm({ installMode: "everything", developmentBehaviour: "1" })).toThrow(
      /Choose how modules are installed/,
    );
    expect(() => parseBranchSettingsForm({ testTags: "x".repeat(1001), developmentBehaviour: "1" })).toThrow(/too long/);
  });
});

describe("the project settings form", () => {
  const project = { slug: "shop", baseDomain: "slipway.localhost" };
  const valid = {
    name: "Shop",
    publicAccess: true,
    odooVersion: "17.0",
    odooImage: "odoo:17.0",
    repoUrl: "https://github.com/acme/shop.git",
  };

  it("accepts the new-project rules with the project's own slug", () => {
    expect(checkProjectSettings(project, valid)).toMatchObject({ ok: true, value: { name: "Shop", odooImage: "odoo:17.0" } });
    expect(checkProjectSettings(project, { ...valid, odooImage: "odoo:{version}", odooVersion: "18.0" })).toMatchObject({
      ok: true,
      value: { odooImage: "odoo:18.0" },
    });
  });

  it("refuses an image of another Odoo series than the version, and malformed fields", () => {
    expect(checkProjectSettings(project, { ...valid, odooVersion: "18.0" })).toEqual({
      ok: false,
      errors: { odooImage: "The image odoo:17.0 is Odoo 17.0 but the version chosen is 18.0; change both together." },
    });
    expect(checkProjectSettings(project, { ...valid, repoUrl: "not a url", name: "" })).toMatchObject({
      ok: false,
      errors: { repoUrl: expect.any(String), name: expect.any(String) },
    });
    expect(() => checkProjectSettings(project, { ...valid, publicAccess: "yes" })).toThrow(/malformed/);
  });
});
