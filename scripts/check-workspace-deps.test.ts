// The workspace-dependency check (scripts/check-workspace-deps.mjs) on a small repository in a
// temporary folder: an undeclared import and a declared-but-unused dependency are reported, the
// consistent workspace and the test toolchain are not; and the real repository passes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { checkWorkspaceDeps, importsOf, packageName } from "./check-workspace-deps.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
let dir: string;

function write(file: string, content: string | object): void {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), typeof content === "string" ? content : JSON.stringify(content));
}

function repo(): void {
  dir = mkdtempSync(path.join(tmpdir(), "slipway-wsdeps-"));
  write("package.json", { name: "r", workspaces: ["apps/*", "packages/*"], devDependencies: { vitest: "1" } });
  write("packages/core/package.json", { name: "@x/core", dependencies: {} });
  write(
    "packages/core/src/index.ts",
    'import { readFileSync } from "node:fs";\nimport { a } from "./a";\nexport const b = [readFileSync, a];\n',
  );
  write("packages/core/src/index.test.ts", 'import { it } from "vitest";\nimport "@x/core";\n');
  write("apps/web/package.json", { name: "@x/web", dependencies: { "@x/core": "*", "left-pad": "1", tailwindcss: "4" } });
  write(
    "apps/web/src/page.tsx",
    '// import { nothing } from "commented-out";\nimport { b } from "@x/core";\nimport { z } from "zod/v4";\nexport const p = [b, z];\n',
  );
  write("apps/web/src/route.ts", 'export const load = () => import("@/server/deps");\n');
  write("apps/web/src/globals.css", '@import "tailwindcss";\n');
}

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("check-workspace-deps", () => {
  it("reports an undeclared import and a dependency never imported, nothing else", () => {
    repo();
    expect(checkWorkspaceDeps(dir, { usedWithoutImport: {} })).toEqual([
      "@x/web imports zod without declaring it in apps/web/package.json (apps/web/src/page.tsx)",
      "@x/web declares left-pad and never imports it: remove it (or list why in USED_WITHOUT_IMPORT)",
    ]);
  });

  it("passes once the workspace declares what it imports and imports what it declares", () => {
    repo();
    write("apps/web/package.json", { name: "@x/web", dependencies: { "@x/core": "*", zod: "4", tailwindcss: "4" } });
    expect(checkWorkspaceDeps(dir, { usedWithoutImport: {} })).toEqual([]);
  });

  it("a non-test file may not lean on the root's test toolchain", () => {
    repo();
    write("packages/core/src/helper.ts", 'import { vi } from "vitest";\nexport const v = vi;\n');
    expect(checkWorkspaceDeps(dir, { usedWithoutImport: {} }).filter((p) => p.startsWith("@x/core"))).toEqual([
      "@x/core imports vitest without declaring it in packages/core/package.json (packages/core/src/helper.ts)",
    ]);
  });

  it("names packages, not built-ins, aliases or relative paths", () => {
    expect(["@a/b/c", "d/e", "node:fs", "fs/promises", "./x", "@/server/deps", "@test-support/x"].map(packageName)).toEqual([
      "@a/b",
      "d",
      null,
      null,
      null,
      null,
      null,
    ]);
    expect([...importsOf('export * from "e";\nconst m = await import("f");\ntype T = typeof import("g");\n/* import "h" */\n')]).toEqual([
      "e",
      "f",
      "g",
    ]);
  });

  it("the repository itself passes", () => {
    dir = mkdtempSync(path.join(tmpdir(), "slipway-wsdeps-"));
    expect(checkWorkspaceDeps(root)).toEqual([]);
  });
});
