import { describe, expect, it } from "vitest";
import {
  isIgnoredFolder,
  normalizeRelativePath,
  orderAddonsPaths,
  parseGitmodules,
  requirementsLocations,
  resolveDuplicateModules,
  type DiscoveredModule,
} from "./addons-layout";
import { parseManifest } from "./manifest";

const mod = (name: string, addonsPath: string, fromSubmodule = false): DiscoveredModule => ({
  name,
  path: addonsPath === "." ? name : `${addonsPath}/${name}`,
  addonsPath,
  fromSubmodule,
  manifest: parseManifest({ content: "{}", path: `${addonsPath}/${name}/__manifest__.py`, moduleName: name }),
});

describe("addons layout", () => {
  it("ignores dot folders and folders that cannot hold modules", () => {
    expect(isIgnoredFolder(".git")).toBe(true);
    expect(isIgnoredFolder(".github")).toBe(true);
    expect(isIgnoredFolder("node_modules")).toBe(true);
    expect(isIgnoredFolder("addons")).toBe(false);
  });

  it("parses .gitmodules", () => {
    const content = `[submodule "oca/web"]
\tpath = vendor/oca-web
\turl = https://github.com/OCA/web.git
\tbranch = 17.0
; a comment
[submodule "private"]
    path = "./vendor/private/"  # trailing comment
    url = git@github.com:acme/private.git
[core]
    path = ignored
[submodule "escape"]
    path = ../outside
`;
    expect(parseGitmodules(content)).toEqual([
      { name: "oca/web", path: "vendor/oca-web", url: "https://github.com/OCA/web.git" },
      { name: "private", path: "vendor/private", url: "git@github.com:acme/private.git" },
    ]);
    expect(normalizeRelativePath("./a//b/../c/")).toBe("a/c");
    expect(normalizeRelativePath("")).toBe(".");
  });

  it("looks for requirements at the root, in addons folders and in their parents", () => {
    expect(requirementsLocations([".", "vendor/oca-web", "src/addons"])).toEqual([
      "requirements.txt",
      "src/addons/requirements.txt",
      "src/requirements.txt",
      "vendor/oca-web/requirements.txt",
      "vendor/requirements.txt",
    ]);
    expect(requirementsLocations([])).toEqual(["requirements.txt"]);
  });

  it("orders the repository's addons folders before the submodules'", () => {
    expect(
      orderAddonsPaths([
        { path: "vendor/b", fromSubmodule: true },
        { path: "z_addons", fromSubmodule: false },
        { path: "vendor/a", fromSubmodule: true },
        { path: ".", fromSubmodule: false },
      ]),
    ).toEqual([".", "z_addons", "vendor/a", "vendor/b"]);
  });

  it("keeps the first module of a name along the addons path and reports the others", () => {
    const { modules, problems } = resolveDuplicateModules({
      modules: [mod("web_x", "vendor/a", true), mod("web_x", "addons"), mod("other", "vendor/a", true)],
      addonsPaths: ["addons", "vendor/a"],
    });
    expect(modules.map((m) => m.path)).toEqual(["vendor/a/other", "addons/web_x"]);
    expect(problems).toEqual([
      {
        path: "vendor/a/web_x",
        reason: 'module "web_x" also exists at addons/web_x, which comes first on the addons path; this copy is ignored',
      },
    ]);
  });
});
