import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertPublicRepoHost, parseRepoUrl, repoUrlHost, repoUrlVetter, resolveLocalRepo } from "./repo-url";

describe("parseRepoUrl", () => {
  it("recognises GitHub https and ssh URLs with owner and repo", () => {
    expect(parseRepoUrl("https://github.com/acme/odoo-addons.git")).toEqual({
      url: "https://github.com/acme/odoo-addons.git",
      kind: "github",
      github: { owner: "acme", repo: "odoo-addons" },
    });
    expect(parseRepoUrl("git@github.com:acme/odoo-addons.git").github).toEqual({ owner: "acme", repo: "odoo-addons" });
    expect(parseRepoUrl("https://github.com/acme/addons").github).toEqual({ owner: "acme", repo: "addons" });
  });

  it("accepts other Git servers and local paths", () => {
    expect(parseRepoUrl("https://git.example.org/team/repo.git").kind).toBe("https");
    expect(parseRepoUrl("git@git.example.org:team/repo.git").kind).toBe("ssh");
    expect(parseRepoUrl("ssh://git@git.example.org:2222/team/repo.git").kind).toBe("ssh");
    expect(parseRepoUrl("/srv/git/repo.git").kind).toBe("local");
    expect(parseRepoUrl("file:///srv/git/repo.git").kind).toBe("local");
  });

  it("refuses option-looking, relative, traversing and malformed input with a clear message", () => {
    expect(() => parseRepoUrl("--upload-pack=touch /tmp/x")).toThrow(/not a valid repository URL/);
    expect(() => parseRepoUrl("")).toThrow(/empty/);
    expect(() => parseRepoUrl("repo.git")).toThrow(/not a Git URL/);
    expect(() => parseRepoUrl("/srv/../etc/passwd")).toThrow(/\.\./);
    expect(() => parseRepoUrl("https://github.com/a b/c")).toThrow();
  });
});

describe("repository hosts", () => {
  const check = (url: string, resolve?: (host: string) => Promise<string[]>) => assertPublicRepoHost(parseRepoUrl(url), { resolve });

  it("extracts the host of every network URL form, normalised as git's transports read it", () => {
    expect(repoUrlHost(parseRepoUrl("https://user:pw@Git.Example.org:8443/team/repo.git"))).toBe("git.example.org");
    expect(repoUrlHost(parseRepoUrl("http://0x7f.1/repo.git"))).toBe("127.0.0.1");
    expect(repoUrlHost(parseRepoUrl("http://[::ffff:127.0.0.1]/repo.git"))).toBe("::ffff:7f00:1");
    expect(repoUrlHost(parseRepoUrl("ssh://git@git.example.org:2222/team/repo.git"))).toBe("git.example.org");
    expect(repoUrlHost(parseRepoUrl("deploy@10.0.0.5:team/repo.git"))).toBe("10.0.0.5");
    expect(repoUrlHost(parseRepoUrl("/srv/git/repo.git"))).toBeNull();
    expect(() => parseRepoUrl("https://evil.example\\@127.0.0.1/x")).toThrow(/not a valid repository URL/);
    expect(() => repoUrlHost(parseRepoUrl("https://a@b@127.0.0.1/x"))).toThrow(/more than one "@"/);
    expect(() => repoUrlHost(parseRepoUrl("ssh://git@b@127.0.0.1/x"))).toThrow(/valid host/);
  });

  it("refuses loopback, link-local and private hosts in every notation, without asking DNS", async () => {
    const never = async () => {
      throw new Error("DNS must not be asked about a literal");
    };
    for (const url of [
      "http://127.0.0.1:20190/config/",
      "http://169.254.169.254/latest/meta-data",
      "https://localhost/repo.git",
      "https://LOCALHOST./repo.git",
      "http://2130706433/repo.git",
      "http://0x7f000001/repo.git",
      "http://0177.0.0.1/repo.git",
      "http://127.1/repo.git",
      "http://0.0.0.0/repo.git",
      "http://[::1]/repo.git",
      "http://[::ffff:127.0.0.1]/repo.git",
      "http://[fe80::1]/repo.git",
      "http://[fd00::1]/repo.git",
      "http://[::]/repo.git",
      "http://%31%32%37.0.0.1/repo.git",
      "git@127.0.0.1:team/repo.git",
      "git@2130706433:team/repo.git",
      "ssh://git@192.168.1.10/team/repo.git",
      "ssh://git@0x7f.1:22/repo.git",
      "deploy@10.0.0.5:team/repo.git",
      "git@api.localhost:x/y.git",
    ]) {
      await expect(check(url, never), url).rejects.toThrow(/loopback, link-local, private or reserved/);
    }
  });

  it("refuses a name that resolves to a private address, accepts public ones and names that do not resolve", async () => {
    const dns: Record<string, string[]> = {
      "metadata.evil.example": ["93.184.216.34", "169.254.169.254"],
      "git.example.org": ["140.82.112.3", "2606:4700::1111"],
      "v6.evil.example": ["::1"],
    };
    const resolve = async (host: string) => {
      const found = dns[host];
      if (!found) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
      return found;
    };
    await expect(check("https://metadata.evil.example/repo.git", resolve)).rejects.toThrow(/resolves to 169\.254\.169\.254/);
    await expect(check("git@v6.evil.example:team/repo.git", resolve)).rejects.toThrow(/resolves to ::1/);
    await expect(check("https://git.example.org/team/repo.git", resolve)).resolves.toBeUndefined();
    await expect(check("https://not-yet.example.org/team/repo.git", resolve)).resolves.toBeUndefined();
    await expect(check("https://8.8.8.8/team/repo.git", resolve)).resolves.toBeUndefined();
    await expect(check("https://github.com/acme/addons.git", resolve)).resolves.toBeUndefined();
  });
});

describe("local repositories", () => {
  const base = mkdtempSync(path.join(tmpdir(), "slipway-repo-root-test-"));
  const root = path.join(base, "repos");
  const outside = path.join(base, "elsewhere");
  for (const dir of [path.join(root, "shop.git"), outside]) mkdirSync(dir, { recursive: true });
  symlinkSync(outside, path.join(root, "escape.git"));
  symlinkSync(path.join(root, "shop.git"), path.join(base, "link-in.git"));
  writeFileSync(path.join(root, "file.txt"), "x");
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const local = (url: string, r: string | null = root) => resolveLocalRepo(parseRepoUrl(url), r ?? undefined);

  it("accepts a repository inside the root, as a path or a file:// URL, and returns its real path", async () => {
    await expect(local(path.join(root, "shop.git"))).resolves.toBe(path.join(root, "shop.git"));
    await expect(local(`file://${path.join(root, "shop.git")}`)).resolves.toBe(path.join(root, "shop.git"));
    // A symlink from elsewhere to a repository inside the root is the repository inside the root.
    await expect(local(path.join(base, "link-in.git"))).resolves.toBe(path.join(root, "shop.git"));
  });

  it("refuses everything else with a clear reason", async () => {
    await expect(local(path.join(root, "shop.git"), null)).rejects.toThrow(/not enabled.*SLIPWAY_LOCAL_REPOS_ROOT/);
    await expect(local("/etc")).rejects.toThrow(/must be inside/);
    await expect(local("/root")).rejects.toThrow(/must be inside/);
    await expect(local(outside)).rejects.toThrow(/must be inside/);
    await expect(local(path.join(root, "escape.git"))).rejects.toThrow(/must be inside/);
    await expect(local(`file://${path.join(root, "%2e%2e", "elsewhere")}`)).rejects.toThrow(/percent-encoding/);
    // parseRepoUrl already refuses "..": a path that slipped past it is still refused here.
    await expect(resolveLocalRepo({ url: `${root}/shop.git/../../elsewhere`, kind: "local" }, root)).rejects.toThrow(/'\.\.'/);
    await expect(local(path.join(root, "missing.git"))).rejects.toThrow(/no repository at/);
    await expect(local(root)).rejects.toThrow(/must be inside/);
    await expect(local(path.join(root, "file.txt"))).rejects.toThrow(/not a Git repository folder/);
    await expect(local("/etc/passwd-not-there")).rejects.toThrow(/must be inside/);
  });
});

describe("repoUrlVetter (every fetch: the project's URL and its submodules')", () => {
  const root = mkdtempSync(path.join(tmpdir(), "slipway-vet-"));
  mkdirSync(path.join(root, "sub.git"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("accepts a local repository inside the root and a public host; refuses the rest", async () => {
    const vet = repoUrlVetter({ localRoot: root });
    await expect(vet(path.join(root, "sub.git"))).resolves.toBeUndefined();
    await expect(vet("https://93.184.216.34/team/addons.git")).resolves.toBeUndefined();
    await expect(vet("/etc")).rejects.toThrow(/must be inside/);
    await expect(vet("http://169.254.169.254/latest/meta-data")).rejects.toThrow();
    await expect(vet("ssh://git@127.0.0.1/repo.git")).rejects.toThrow();
    await expect(repoUrlVetter({ localRoot: undefined })(path.join(root, "sub.git"))).rejects.toThrow(/not enabled/);
  });
});
