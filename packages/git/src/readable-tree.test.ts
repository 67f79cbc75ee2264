import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeTreeReadable } from "./readable-tree";

describe("makeTreeReadable", () => {
  const base = mkdtempSync(path.join(tmpdir(), "slipway-readable-"));
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const mode = (p: string) => statSync(p).mode & 0o777;

  it("gives a+rX to folders and files, keeps executables executable, and never follows a symlink", async () => {
    const tree = path.join(base, "checkout");
    const secret = path.join(base, "host-secret");
    writeFileSync(secret, "do not touch");
    chmodSync(secret, 0o600);
    mkdirSync(path.join(tree, "addon", "data"), { recursive: true });
    writeFileSync(path.join(tree, "addon", "__manifest__.py"), "{}");
    writeFileSync(path.join(tree, "addon", "data", "tool.sh"), "#!/bin/sh\n");
    symlinkSync(secret, path.join(tree, "addon", "link-to-host"));
    symlinkSync(base, path.join(tree, "link-to-dir"));
    for (const [p, m] of [
      [tree, 0o700],
      [path.join(tree, "addon"), 0o700],
      [path.join(tree, "addon", "data"), 0o700],
      [path.join(tree, "addon", "__manifest__.py"), 0o600],
      [path.join(tree, "addon", "data", "tool.sh"), 0o700],
    ] as const)
      chmodSync(p, m);
    chmodSync(base, 0o700);

    expect(await makeTreeReadable(tree)).toBe(5);
    expect(mode(tree)).toBe(0o755);
    expect(mode(path.join(tree, "addon", "data"))).toBe(0o755);
    expect(mode(path.join(tree, "addon", "__manifest__.py"))).toBe(0o644);
    expect(mode(path.join(tree, "addon", "data", "tool.sh"))).toBe(0o755);
    // Link targets (anything on the host) are untouched.
    expect(mode(secret)).toBe(0o600);
    expect(mode(base)).toBe(0o700);
    // Idempotent.
    expect(await makeTreeReadable(tree)).toBe(0);
  });
});
