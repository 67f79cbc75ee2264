import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchRevision } from "./fetch-revision";
import { listRemoteBranches } from "./ls-remote";
import type { GitSshAccess } from "./ssh-access";
import { startSshGitServer, type SshGitServer } from "./testing/ssh-git-server";

const run = promisify(execFile);
const ENV = {
  PATH: "/usr/local/bin:/usr/bin:/bin",
  HOME: "/tmp",
  GIT_AUTHOR_NAME: "T",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_COMMITTER_NAME: "T",
  GIT_COMMITTER_EMAIL: "t@example.com",
};
const git = (cwd: string, ...args: string[]) => run("git", args, { cwd, env: ENV }).then((r) => r.stdout.trim());

async function keyPair(dir: string, name: string): Promise<{ privateKey: string; publicKey: string }> {
  const file = join(dir, name);
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", file]);
  return { privateKey: await readFile(file, "utf8"), publicKey: (await readFile(`${file}.pub`, "utf8")).trim() };
}

describe("private repositories over SSH (a real sshd on loopback)", () => {
  let server: SshGitServer;
  let work: string;
  let revision: string;
  let repoKey: { privateKey: string; publicKey: string };
  let subKey: { privateKey: string; publicKey: string };
  const SUB_URL = "git@github.com:acme/lib.git";

  beforeAll(async () => {
    server = await startSshGitServer();
    work = await mkdtemp(join(tmpdir(), "ssh-access-test-"));
    repoKey = await keyPair(work, "repo");
    subKey = await keyPair(work, "sub");
    const libBare = await server.createRepo("acme/lib");
    const shopBare = await server.createRepo("acme/shop");
    const lib = join(work, "lib");
    await run("git", ["init", "-q", "-b", "main", lib], { env: ENV });
    await writeFile(join(lib, "README"), "private library\n");
    await git(lib, "add", ".");
    await git(lib, "commit", "-q", "-m", "lib");
    const libSha = await git(lib, "rev-parse", "HEAD");
    await git(lib, "push", "-q", libBare, "main");
    const shop = join(work, "shop");
    await run("git", ["init", "-q", "-b", "main", shop], { env: ENV });
    await writeFile(join(shop, ".gitmodules"), `[submodule "lib"]\n\tpath = lib\n\turl = ${SUB_URL}\n`);
    await writeFile(join(shop, "shop.txt"), "shop\n");
    await git(shop, "add", ".");
    await git(shop, "update-index", "--add", "--cacheinfo", `160000,${libSha},lib`);
    await git(shop, "commit", "-q", "-m", "shop with a private submodule");
    revision = await git(shop, "rev-parse", "HEAD");
    await git(shop, "push", "-q", shopBare, "main");
    await server.authorize(repoKey.publicKey, "acme/shop");
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const access = (over: Partial<GitSshAccess> = {}): GitSshAccess => ({
    host: "github.com",
    endpoint: { host: server.host, port: server.port, user: server.user },
    knownHosts: server.knownHosts(),
    repo: "acme/shop",
    repoKey,
    submodules: [],
    ...over,
  });

  it("lists the branches and fetches the repository and its private submodule, each through its own key", async () => {
    await server.authorize(subKey.publicKey, "acme/lib");
    const heads = await listRemoteBranches({ url: "https://github.com/acme/shop", ssh: access() });
    expect(heads.get("main")).toBe(revision);
    const dest = join(work, "checkout-ok");
    const fetched = await fetchRevision({
      url: "https://github.com/acme/shop",
      revision,
      branch: "main",
      dest,
      ssh: access({ submodules: [{ url: SUB_URL, ...subKey }] }),
    });
    expect(fetched.revision).toBe(revision);
    expect(fetched.submodules).toEqual(["lib"]);
    expect(await readFile(join(dest, "lib", "README"), "utf8")).toBe("private library\n");
    // The branch's tip cloned (a push build) goes through the same keys.
    const tip = join(work, "checkout-tip");
    const cloned = await fetchRevision({
      url: "https://github.com/acme/shop",
      revision,
      branch: "main",
      branchTip: true,
      dest: tip,
      ssh: access({ submodules: [{ url: SUB_URL, ...subKey }] }),
    });
    expect(cloned).toMatchObject({ revision, submodules: ["lib"] });
    expect(await readFile(join(tip, "lib", "README"), "utf8")).toBe("private library\n");
    // Cloned on its branch, not fetched by sha after a failed clone (that checkout is detached).
    expect(await git(tip, "symbolic-ref", "HEAD")).toBe("refs/heads/main");
  });

  it("without the sub-repository's key the fetch fails naming the sub-repository (and the key to add when it has one)", async () => {
    const missing = fetchRevision({ url: "git@github.com:acme/shop.git", revision, branch: "main", dest: join(work, "c2"), ssh: access() });
    // The project's key opens acme/shop only: the gate answers "Repository not found" for acme/lib.
    await expect(missing).rejects.toThrow(
      /The sub-repository git@github\.com:acme\/lib\.git \(submodule "lib"\) could not be fetched: access denied\. Add git@github\.com:acme\/lib\.git to the project's Submodules settings/,
    );
    const other = await keyPair(work, "other");
    const wrong = fetchRevision({
      url: "git@github.com:acme/shop.git",
      revision,
      branch: "main",
      dest: join(work, "c3"),
      ssh: access({ submodules: [{ url: SUB_URL, ...other }] }),
    });
    await expect(wrong).rejects.toThrow(`Add this public key to ${SUB_URL} as a read-only deploy key: ${other.publicKey}`);
  });

  it("refuses a server whose host key is not the pinned one", async () => {
    const otherHost = await keyPair(work, "other-host");
    const logBefore = server.log().length;
    const pinned = `github.com ${otherHost.publicKey.split(" ").slice(0, 2).join(" ")}\n`;
    await expect(
      fetchRevision({
        url: "git@github.com:acme/shop.git",
        revision,
        branch: "main",
        dest: join(work, "c4"),
        ssh: access({ knownHosts: pinned }),
      }),
    ).rejects.toThrow(/the SSH host key of github\.com does not match the pinned key/);
    expect(server.log().slice(logBefore)).not.toMatch(/Accepted publickey/);
  });

  it("the project's key alone is refused by a repository it was not added to", async () => {
    await expect(listRemoteBranches({ url: "git@github.com:acme/lib.git", ssh: access({ repo: "acme/lib" }) })).rejects.toThrow(
      "git@github.com:acme/lib.git could not be read: access denied (the project's deploy key is not on the repository).",
    );
  });
});
