import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverAddons } from "./discover-addons";

let base: string;
let checkout: string;

async function put(rel: string, content: string): Promise<void> {
  const file = path.join(checkout, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

const manifest = (extra = "") => `# -*- coding: utf-8 -*-\n{\n  'name': 'M',\n  'version': '1.0',\n  'depends': ['base'],\n${extra}}\n`;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "slipway-discover-"));
  checkout = path.join(base, "checkout");
  await mkdir(checkout);
  // Modules directly at the root, and nested addons folders.
  await put("my_root_mod/__manifest__.py", manifest());
  await put("my_root_mod/models/__init__.py", "");
  await put("addons/my_a/__manifest__.py", manifest("  'installable': True,\n"));
  await put("addons/my_b/__manifest__.py", manifest("  'installable': False,\n"));
  await put("addons/not_a_module/readme.txt", "no manifest");
  await put("src/deep/addons/my_deep/__manifest__.py", manifest());
  // Ignored: dot folders at any depth.
  await put(".hidden/hidden_mod/__manifest__.py", manifest());
  await put("addons/.cache/cached_mod/__manifest__.py", manifest());
  // A submodule checkout (gitlink file + .gitmodules entry), with its own requirements.
  await put(".gitmodules", '[submodule "oca"]\n\tpath = vendor/oca-web\n\turl = https://github.com/OCA/web.git\n');
  await put("vendor/oca-web/.git", "gitdir: ../../.git/modules/oca\n");
  await put("vendor/oca-web/web_oca/__manifest__.py", manifest());
  await put("vendor/oca-web/requirements.txt", "unidecode\n");
  // A nested repository found only by its .git file.
  await put("third/lib/.git", "gitdir: /elsewhere\n");
  await put("third/lib/lib_mod/__manifest__.py", manifest());
  // Problems: a non-literal manifest, an odd module name, a duplicate, a link outside.
  await put("addons/bad_manifest/__manifest__.py", "{'name': _('Translated')}\n");
  await put("addons/My-Module/__manifest__.py", manifest());
  await put("src/deep/addons/my_a/__manifest__.py", manifest());
  await mkdir(path.join(base, "outside/evil_mod"), { recursive: true });
  await writeFile(path.join(base, "outside/evil_mod/__manifest__.py"), manifest());
  await symlink(path.join(base, "outside"), path.join(checkout, "addons_link"));
  await symlink(path.join(base, "outside/evil_mod"), path.join(checkout, "addons/evil_mod"));
  // A link inside the checkout is followed; a loop is not walked twice.
  await symlink("addons", path.join(checkout, "same_addons"));
  await symlink("..", path.join(checkout, "src/loop"));
  // Requirements at the root and in the parent of an addons folder.
  await put("requirements.txt", "requests\n");
  await put("src/deep/requirements.txt", "lxml\n");
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("discoverAddons", () => {
  it("finds addons folders and modules, submodules last and flagged", async () => {
    const d = await discoverAddons({ checkoutDir: checkout });
    expect(d.addonsPaths).toEqual([".", "addons", "src/deep/addons", "third/lib", "vendor/oca-web"]);
    expect(d.modules.map((m) => [m.name, m.path, m.fromSubmodule])).toEqual([
      ["lib_mod", "third/lib/lib_mod", true],
      ["my_a", "addons/my_a", false],
      ["my_b", "addons/my_b", false],
      ["my_deep", "src/deep/addons/my_deep", false],
      ["my_root_mod", "my_root_mod", false],
      ["web_oca", "vendor/oca-web/web_oca", true],
    ]);
    const myB = d.modules.find((m) => m.name === "my_b")!;
    expect(myB).toMatchObject({ addonsPath: "addons", manifest: { installable: false, depends: ["base"], version: "1.0" } });
  });

  it("reports bad manifests, odd names, duplicates and links out of the checkout", async () => {
    const d = await discoverAddons({ checkoutDir: checkout });
    const byPath = Object.fromEntries(d.problems.map((p) => [p.path, p.reason]));
    expect(byPath["addons/bad_manifest/__manifest__.py"]).toBe(
      'addons/bad_manifest/__manifest__.py line 1, column 10: function calls are not allowed (found "_(")',
    );
    expect(byPath["addons/My-Module"]).toContain("only lowercase letters, digits and underscores");
    expect(byPath["addons_link"]).toBe(`symbolic link points outside the checkout (to ${path.join(base, "outside")}); not followed`);
    expect(byPath["addons/evil_mod"]).toContain("symbolic link points outside the checkout");
    expect(byPath["src/deep/addons/my_a"]).toContain('module "my_a" also exists at addons/my_a');
    expect(d.modules.some((m) => m.name === "evil_mod" || m.name === "hidden_mod" || m.name === "cached_mod")).toBe(false);
    expect(d.problems).toHaveLength(5);
  });

  it("hashes requirements files at the root, in addons folders and their parents", async () => {
    const d = await discoverAddons({ checkoutDir: checkout });
    const sha = (s: string) => createHash("sha256").update(s).digest("hex");
    expect(d.requirements).toEqual([
      { path: "requirements.txt", sha256: sha("requests\n") },
      { path: "src/deep/requirements.txt", sha256: sha("lxml\n") },
      { path: "vendor/oca-web/requirements.txt", sha256: sha("unidecode\n") },
    ]);
    expect(d.requirementsHash).toMatch(/^[0-9a-f]{64}$/);
    await put("src/deep/requirements.txt", "lxml==5.2\n");
    const changed = await discoverAddons({ checkoutDir: checkout });
    expect(changed.requirementsHash).not.toBe(d.requirementsHash);
    await put("src/deep/requirements.txt", "lxml\n");
    expect((await discoverAddons({ checkoutDir: checkout })).requirementsHash).toBe(d.requirementsHash);
  });

  it("respects the depth bound", async () => {
    const d = await discoverAddons({ checkoutDir: checkout, maxDepth: 1 });
    expect(d.addonsPaths).toEqual([".", "addons"]);
  });

  it("returns an empty result (and empty hash) for a checkout without modules", async () => {
    const empty = path.join(base, "empty");
    await mkdir(path.join(empty, "docs"), { recursive: true });
    expect(await discoverAddons({ checkoutDir: empty })).toEqual({
      addonsPaths: [],
      modules: [],
      requirements: [],
      requirementsHash: "",
      problems: [],
    });
    await expect(discoverAddons({ checkoutDir: path.join(base, "missing") })).rejects.toThrow("does not exist");
  });
});
