// A real Git repository with a real submodule (cloned through git, file protocol).
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverAddons } from "./discover-addons";

const run = promisify(execFile);
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.invalid",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.invalid",
  GIT_CONFIG_NOSYSTEM: "1",
  HOME: tmpdir(),
};
const git = (cwd: string, ...args: string[]) =>
  run("git", ["-c", "protocol.file.allow=always", "-c", "init.defaultBranch=main", ...args], { cwd, env: GIT_ENV });

let base: string;

async function put(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "slipway-discover-git-"));
  const lib = path.join(base, "oca-web");
  await put(path.join(lib, "web_oca/__manifest__.py"), "{'name': 'Web OCA', 'version': '17.0.1.0.0'}\n");
  await put(path.join(lib, "requirements.txt"), "unidecode\n");
  await git(lib, "init", "-q");
  await git(lib, "add", ".");
  await git(lib, "commit", "-q", "-m", "lib");

  const main = path.join(base, "project");
  await put(path.join(main, "my_module/__manifest__.py"), "{'name': 'Mine', 'depends': ['web_oca']}\n");
  await git(main, "init", "-q");
  await git(main, "submodule", "add", "-q", lib, "vendor/oca-web");
  await git(main, "add", ".");
  await git(main, "commit", "-q", "-m", "project");
  await git(base, "clone", "-q", "--recurse-submodules", main, "checkout");
}, 60_000);

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("discoverAddons on a real clone with a submodule", () => {
  it("flags the submodule's modules and reads its requirements", async () => {
    const d = await discoverAddons({ checkoutDir: path.join(base, "checkout") });
    expect(d.addonsPaths).toEqual([".", "vendor/oca-web"]);
    expect(d.modules.map((m) => ({ name: m.name, fromSubmodule: m.fromSubmodule }))).toEqual([
      { name: "my_module", fromSubmodule: false },
      { name: "web_oca", fromSubmodule: true },
    ]);
    expect(d.requirements.map((r) => r.path)).toEqual(["vendor/oca-web/requirements.txt"]);
    expect(d.problems).toEqual([]);
  });
});
