// The import boundaries of eslint.config.js fire: snippets placed at realistic paths of each
// workspace are linted with the repository's configuration through ESLint's Node API (the files
// need not exist), and a violating import must be reported while its allowed twin passes.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

async function ruleIds(code: string, file: string, eslint = new ESLint({ cwd: root })): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  expect(result, `${file} is linted (not ignored)`).toBeDefined();
  return result!.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const BOUNDARY = "no-restricted-imports";

// The first lint of a run loads the configuration and typescript-eslint: slow on a busy machine.
describe("import boundaries (eslint.config.js)", { timeout: 60_000 }, () => {
  it.each([
    ["the web importing the Docker adapter", "apps/web/src/server/builds/start.ts", 'import { connectDocker } from "@slipway/docker";'],
    ["the web importing dockerode", "apps/web/src/app/api/x/route.ts", 'import Docker from "dockerode";'],
    ["the web running a git merge", "apps/web/src/server/branches/merge.ts", 'import { mergeAndPush } from "@slipway/git";'],
    ["the web fetching a revision", "apps/web/src/server/builds/fetch.ts", 'import { fetchRevision } from "@slipway/git";'],
    ["the web importing the worker", "apps/web/src/server/x.ts", 'import { runBuild } from "@slipway/worker/builds/run-build";'],
    [
      "the web climbing into the worker",
      "apps/web/src/app/api/x/route.ts",
      'import { createWorkerDeps } from "../../../../../worker/src/create-deps";',
    ],
    [
      "a web test climbing into the worker",
      "apps/web/src/server/x.int.test.ts",
      'import { backupTransferHandlers } from "../../../worker/src/backups/transfer-jobs";',
    ],
    ["the worker importing the web", "apps/worker/src/builds/x.ts", 'import { deps } from "../../../web/src/server/deps";'],
    ["the domain importing node:crypto", "packages/domain/src/builds/token.ts", 'import { createHash } from "node:crypto";'],
    ["the domain using Buffer", "packages/domain/src/modules/hash.ts", 'export const bytes = Buffer.from("x");', "no-restricted-globals"],
    ["the domain importing fs", "packages/domain/src/modules/read.ts", 'import { readFileSync } from "fs";'],
    ["the domain importing a workspace", "packages/domain/src/builds/x.ts", 'import { getPrisma } from "@slipway/db";'],
    ["the domain importing a package", "packages/domain/src/builds/x.ts", 'import { z } from "zod";'],
    ["an adapter importing another adapter", "packages/docker/src/x.ts", 'import { runGit } from "@slipway/git";'],
    ["the db adapter importing the queue", "packages/db/src/repositories/x.ts", 'import { createQueues } from "@slipway/queue";'],
    ["the git adapter importing configuration", "packages/git/src/x.ts", 'import { loadWorkerConfig } from "@slipway/config";'],
    ["an adapter climbing into another", "packages/queue/src/x.ts", 'import { getPrisma } from "../../db/src/client";'],
  ])("%s fails lint", async (_what, file, code, rule = BOUNDARY) => {
    expect(await ruleIds(`${code}\n`, file)).toContain(rule);
  });

  it.each([
    ["the web vetting a repository URL", "apps/web/src/server/projects/x.ts", 'import { parseRepoUrl } from "@slipway/git";'],
    [
      "the web using the domain and the queue",
      "apps/web/src/server/x.ts",
      'import { canTransition } from "@slipway/domain";\nimport { createQueues } from "@slipway/queue";',
    ],
    [
      "a web test using the worker's testing entry",
      "apps/web/src/server/x.int.test.ts",
      'import { createWorkerDeps } from "@slipway/worker/testing";',
    ],
    ["the worker using the Docker adapter", "apps/worker/src/builds/x.ts", 'import { connectDocker } from "@slipway/docker";'],
    ["an adapter using the domain", "packages/docker/src/x.ts", 'import { containerName } from "@slipway/domain";'],
    ["an adapter importing itself", "packages/db/src/repositories/x.ts", 'import { getPrisma } from "../client";'],
    ["the domain importing itself", "packages/domain/src/builds/x.ts", 'import { DomainError } from "../errors";'],
    ["a domain test using Node", "packages/domain/src/builds/x.test.ts", 'import { randomBytes } from "node:crypto";'],
  ])("%s passes", async (_what, file, code) => {
    expect(await ruleIds(`${code}\n`, file)).not.toContain(BOUNDARY);
  });
});

describe("data boundary (on: DATA_BOUNDARY = error)", { timeout: 60_000 }, () => {
  const file = "apps/worker/src/builds/x.ts";
  const code =
    'import { type Build, getPrisma } from "@slipway/db";\nexport const f = (deps: { prisma: { build: { findMany(): Build[] } } }) => deps.prisma.build.findMany();\nexport const g = getPrisma;\n';

  it("fires in the repository's own configuration on an app's source", async () => {
    const ids = await ruleIds(code, file);
    expect(ids).toContain("@typescript-eslint/no-restricted-imports");
    expect(ids).toContain("no-restricted-syntax");
  });

  it("fires on generated types and model methods at any severity but off, not in tests", async () => {
    const { dataBoundaryRules } = (await import(path.join(root, "eslint.config.js"))) as {
      dataBoundaryRules: (severity: string) => object;
    };
    const on = new ESLint({ cwd: root, overrideConfig: [dataBoundaryRules("error")] });
    const ids = await ruleIds(code, file, on);
    expect(ids).toContain("@typescript-eslint/no-restricted-imports");
    expect(ids.filter((id) => id === "no-restricted-syntax")).toHaveLength(1);
    const raw = await ruleIds('export const q = (db: { $queryRaw(s: string): void }) => db.$queryRaw("select 1");\n', file, on);
    expect(raw).toContain("no-restricted-syntax");
    // An Odoo connection's `db` is not the control-plane handle.
    expect(await ruleIds("export const u = (ctx: { db: { user: string } }) => ctx.db.user;\n", file, on)).toEqual([]);
    expect(await ruleIds('import { getPrisma } from "@slipway/db";\nexport const db = getPrisma("x");\n', file, on)).toEqual([]);
    expect(await ruleIds(code, "apps/worker/src/builds/x.int.test.ts", on)).not.toContain("@typescript-eslint/no-restricted-imports");
  });
});
