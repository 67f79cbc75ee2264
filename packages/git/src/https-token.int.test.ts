import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchRevision } from "./fetch-revision";
import { listRemoteBranches } from "./ls-remote";

// An installation token over HTTPS (a GitHub project with the platform's GitHub App): a smart-HTTP
// Git server (`git http-backend` behind a Node server) that answers 401 without the token's
// Authorization header, as GitHub does for a private repository. The token is sent in a header set
// through the environment, never in a URL or the command line.
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
const TOKEN = "ghs_installationToken0123456789";

describe("private repositories over HTTPS with an installation token (git http-backend)", () => {
  let work: string;
  let server: Server;
  let baseUrl: string;
  let revision: string;
  const seen: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "https-token-test-"));
    const root = join(work, "srv");
    for (const [name, files] of [
      ["acme/lib", { README: "private library\n" }],
      ["acme/shop", { "shop.txt": "shop\n" }],
    ] as const) {
      const bare = join(root, `${name}.git`);
      await run("git", ["init", "-q", "--bare", "-b", "main", bare], { env: ENV });
      const w = join(work, name.replace("/", "-"));
      await run("git", ["init", "-q", "-b", "main", w], { env: ENV });
      for (const [f, c] of Object.entries(files)) await writeFile(join(w, f), c);
      if (name === "acme/shop") {
        await writeFile(join(w, ".gitmodules"), `[submodule "lib"]\n\tpath = lib\n\turl = git@github.com:acme/lib.git\n`);
        await git(w, "add", ".");
        await git(w, "update-index", "--add", "--cacheinfo", `160000,${await git(join(work, "acme-lib"), "rev-parse", "HEAD")},lib`);
      } else await git(w, "add", ".");
      await git(w, "commit", "-q", "-m", name);
      await git(w, "push", "-q", bare, "main");
      if (name === "acme/shop") revision = await git(w, "rev-parse", "HEAD");
    }
    const expected = `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString("base64")}`;
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      seen.push(`${req.method} ${url.pathname}`);
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { "www-authenticate": 'Basic realm="GitHub"' }).end();
        return;
      }
      const cgi = spawn("/usr/lib/git-core/git-http-backend", [], {
        env: {
          ...ENV,
          GIT_PROJECT_ROOT: root,
          GIT_HTTP_EXPORT_ALL: "1",
          PATH_INFO: url.pathname,
          QUERY_STRING: url.search.slice(1),
          REQUEST_METHOD: req.method ?? "GET",
          CONTENT_TYPE: req.headers["content-type"] ?? "",
          REMOTE_ADDR: "127.0.0.1",
          ...(req.headers["git-protocol"] ? { GIT_PROTOCOL: String(req.headers["git-protocol"]) } : {}),
        },
      });
      req.pipe(cgi.stdin);
      let head = Buffer.alloc(0);
      let headersDone = false;
      cgi.stdout.on("data", (chunk: Buffer) => {
        if (headersDone) return void res.write(chunk);
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        headersDone = true;
        const headers: Record<string, string> = {};
        let status = 200;
        for (const line of head.subarray(0, end).toString().split("\r\n")) {
          const [k, ...v] = line.split(":");
          if (k!.toLowerCase() === "status") status = Number(v.join(":").trim().split(" ")[0]);
          else headers[k!] = v.join(":").trim();
        }
        res.writeHead(status, headers);
        res.write(head.subarray(end + 4));
      });
      cgi.on("close", () => res.end());
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("lists and fetches the repository and its SSH-URL submodule with the token; without it the server refuses", async () => {
    const https = { host: "github.com", token: TOKEN, repo: "acme/shop", baseUrl };
    expect((await listRemoteBranches({ url: "https://github.com/acme/shop", https })).get("main")).toBe(revision);
    const dest = join(work, "checkout");
    const fetched = await fetchRevision({ url: "https://github.com/acme/shop", revision, branch: "main", dest, https });
    expect(fetched.submodules).toEqual(["lib"]);
    expect(await readFile(join(dest, "lib", "README"), "utf8")).toBe("private library\n");
    // The token is nowhere in the checkout's configuration (it travelled in the environment only).
    expect(await git(dest, "config", "--list", "--local")).not.toContain(TOKEN);
    expect(seen.some((s) => s.includes("/acme/lib.git/"))).toBe(true);
    // The branch's tip cloned (a push build): the same, the token in the configuration neither.
    const tip = join(work, "checkout-tip");
    expect(
      await fetchRevision({ url: "https://github.com/acme/shop", revision, branch: "main", branchTip: true, dest: tip, https }),
    ).toMatchObject({
      revision,
      submodules: ["lib"],
    });
    expect(await readFile(join(tip, "lib", "README"), "utf8")).toBe("private library\n");
    expect(await git(tip, "config", "--list", "--local")).not.toContain(TOKEN);
    // Cloned on its branch, not fetched by sha after a failed clone (that checkout is detached).
    expect(await git(tip, "symbolic-ref", "HEAD")).toBe("refs/heads/main");

    await expect(listRemoteBranches({ url: "https://github.com/acme/shop", https: { ...https, token: "ghs_wrong" } })).rejects.toThrow(
      /could not list the branches/,
    );
  });
});
