import { describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import { parseManifest } from "./manifest";

const path = "addons/my_addon/__manifest__.py";

describe("parseManifest", () => {
  it("extracts the keys the platform uses, with Odoo's defaults", () => {
    const m = parseManifest({ path, moduleName: "my_addon", content: `{'name': 'My Addon', 'depends': ['base']}` });
    expect(m).toMatchObject({
      name: "My Addon",
      version: "1.0",
      depends: ["base"],
      installable: true,
      autoInstall: false,
      data: [],
      demo: [],
      externalDependencies: { python: [], bin: [] },
      license: null,
      application: false,
    });
    expect(parseManifest({ path, moduleName: "my_addon", content: "{}" }).name).toBe("my_addon");
  });

  it("reads a full manifest like the one of the research's my_addon", () => {
    const m = parseManifest({
      path,
      content: `{
  "name": "My Addon (realodoo test)",
  "version": "1.1",
  "license": "LGPL-3",
  "depends": ["base", "mail"],
  "data": ["security/ir.model.access.csv"],
  "demo": ["demo/my_model_demo.xml"],
  "external_dependencies": {"python": ["unidecode"]},
  "installable": False,
  "auto_install": ["mail"],
}`,
    });
    expect(m).toMatchObject({
      version: "1.1",
      license: "LGPL-3",
      installable: false,
      autoInstall: ["mail"],
      demo: ["demo/my_model_demo.xml"],
      externalDependencies: { python: ["unidecode"], bin: [] },
    });
    expect(m.raw.license).toBe("LGPL-3");
  });

  it("refuses wrong types and non-dict manifests with a clear message", () => {
    const cases: [string, string][] = [
      ["['a']", "the manifest must be a dict"],
      ["{'version': 1.0}", '"version" must be a string'],
      ["{'depends': 'base'}", '"depends" must be a list of strings'],
      ["{'installable': 1}", '"installable" must be True or False'],
      ["{'depends': ['base'], 'auto_install': ['mail']}", '"auto_install" lists modules that are not in "depends": mail'],
      ["{'auto_install': 'yes'}", '"auto_install" must be True, False or a list'],
      ["{'external_dependencies': {'python': [1]}}", '"external_dependencies.python" must be a list of strings'],
    ];
    for (const [content, message] of cases) {
      let error: unknown;
      try {
        parseManifest({ path, content });
      } catch (e) {
        error = e;
      }
      expect(error, content).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe("invalid_input");
      expect((error as DomainError).message).toContain(message);
      expect((error as DomainError).message).toContain(path);
    }
  });
});
