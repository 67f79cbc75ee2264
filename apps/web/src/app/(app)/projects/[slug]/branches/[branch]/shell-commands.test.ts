import { describe, expect, it } from "vitest";
import { forkName, shellCommands, shellWord } from "./shell-commands";

const base = {
  repoUrl: "git@github.com:acme/shop.git",
  branch: "staging",
  branches: ["main", "staging", "staging-1"],
  mergeInto: "main",
  ssh: { command: "ssh 0b6f3c1e-4c1d-4a7e-9d53-2f4f7c0e9a11@slipway.example.com -p 2222" },
};
const byKey = (list: ReturnType<typeof shellCommands>) => Object.fromEntries(list.map((c) => [c.key, c]));

describe("shellCommands", () => {
  it("writes the seed's six commands for the project and branch", () => {
    const c = byKey(shellCommands(base));
    expect(Object.keys(c)).toEqual(["clone", "fork", "merge", "ssh", "submodule", "delete"]);
    expect(c.clone!.command).toBe("git clone --recurse-submodules --branch staging git@github.com:acme/shop.git");
    expect(c.fork!.command).toBe("git checkout -b staging-2 staging && git push -u origin staging-2");
    expect(c.merge!.command).toBe("git checkout main && git merge staging && git push -u origin main");
    expect(c.ssh!.command).toBe("ssh 0b6f3c1e-4c1d-4a7e-9d53-2f4f7c0e9a11@slipway.example.com -p 2222");
    expect(c.submodule!.command).toBe("git submodule add -b master <URL> <PATH> && git commit -a && git push -u origin staging");
    expect(c.delete!.command).toBe("git push origin :staging && git branch -D staging");
  });

  it("has no merge without another branch and no SSH without a build, and says why", () => {
    const c = byKey(shellCommands({ ...base, mergeInto: null, ssh: { unavailable: "This branch has no build on its stage yet." } }));
    expect(c.merge!.command).toBeNull();
    expect(c.merge!.unavailable).toMatch(/no other branch/);
    expect(c.ssh!.command).toBeNull();
    expect(c.ssh!.unavailable).toMatch(/no build/);
  });

  it("quotes names a shell would read specially, and keeps slashes as they are", () => {
    const c = byKey(shellCommands({ ...base, branch: "feature/a$b'c", branches: [] }));
    expect(c.delete!.command).toBe(`git push origin :'feature/a$b'\\''c' && git branch -D 'feature/a$b'\\''c'`);
    expect(shellWord("feature/login-v2")).toBe("feature/login-v2");
    expect(shellWord("/srv/git/shop.git")).toBe("/srv/git/shop.git");
    expect(shellWord("a b")).toBe("'a b'");
  });
});

describe("forkName", () => {
  it("takes the first free <branch>-N", () => {
    expect(forkName("dev", [])).toBe("dev-1");
    expect(forkName("dev", ["dev-1", "dev-2", "dev-4"])).toBe("dev-3");
  });
});
