import { createSessionRepository, insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import {
  accessActors,
  accessStages,
  allAccessCases,
  buildTools,
  projectActions,
  type AccessCase,
  type Actor,
  type Stage,
} from "@slipway/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "../auth/session-cookie";
import { generateSessionToken, hashSessionToken } from "../auth/session-policy";
import { authorizeBuildTool, authorizeProjectAction } from "./authorize";
import { accessErrorResponse } from "./http";
import { routeProbes } from "@test-support/route-probes";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl || !process.env.REDIS_URL)
  throw new Error("DATABASE_URL/REDIS_URL are not set: run `npm run services:up` (it writes .slipway/env)");

/*
 * GENERATED from the role matrix: every actor × public access × (stage × tool | project action)
 * of allAccessCases(), plus a signed-in user who is not a collaborator, goes through the real route
 * handlers (routeProbes) with a real session cookie against a real database, or, for tools whose
 * routes other areas add, through authorizeBuildTool — the function those routes call. Expected:
 * allowed → the probe's status; refused → 403 (project visible), 404 (signed in, project not
 * visible), 401 (anonymous, project not public).
 */

type Viewer = { name: string; actor: Actor; signedIn: boolean };
const viewers: Viewer[] = [
  ...accessActors.map((actor) => ({
    name: actor.kind === "collaborator" ? actor.role : actor.kind,
    actor,
    signedIn: actor.kind !== "anonymous",
  })),
  { name: "outsider", actor: { kind: "anonymous" }, signedIn: true },
];

function refusalStatus(viewer: Viewer, c: AccessCase): number {
  const seesProject = viewer.actor.kind !== "anonymous" || c.publicAccess;
  if (seesProject) return 403;
  return viewer.signedIn ? 404 : 401;
}

describe("the role matrix through the real routes (generated, real PostgreSQL and Redis)", () => {
  let db: TemporaryDatabase;
  let prisma: Db;
  let origin: string;
  const cookies = new Map<string, string | null>();
  const userIds = new Map<string, string | null>();
  const buildNumbers = {} as Record<Stage, number>;
  const slug = "matrix-shop";

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    process.env.DATABASE_URL = db.url;
    const { deps } = await import("../deps");
    prisma = deps().prisma;
    origin = deps().config.web.publicUrl;
    const sessions = createSessionRepository({ prisma });
    for (const viewer of viewers) {
      if (!viewer.signedIn) {
        cookies.set(viewer.name, null);
        userIds.set(viewer.name, null);
        continue;
      }
      const user = await prisma.user.create({ data: { login: `m-${viewer.name}`, isSuperuser: viewer.actor.kind === "superuser" } });
      const token = generateSessionToken();
      await sessions.create({ tokenHash: hashSessionToken(token), userId: user.id, expiresAt: new Date(Date.now() + 3_600_000) });
      cookies.set(viewer.name, `${SESSION_COOKIE}=${token}`);
      userIds.set(viewer.name, user.id);
    }
    const project = await insertProject(prisma, {
      slug,
      name: "Matrix shop",
      repoUrl: "/srv/git/m.git",
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: "odoo:17.0",
      baseDomain: "slipway.localhost",
      webhookSecretEnc: "v1:x:y:z",
      creatorId: userIds.get("admin")!,
    });
    for (const role of ["tester", "developer"] as const)
      await prisma.collaborator.create({ data: { projectId: project.id, userId: userIds.get(role)!, role } });
    let number = 1;
    for (const stage of accessStages) {
      const branch = await prisma.branch.create({
        data: {
          projectId: project.id,
          name: `${stage}-branch`,
          stage,
          productionSlot: stage === "production" ? true : null,
          headRevision: "a".repeat(40),
        },
      });
      const common = { projectId: project.id, branchId: branch.id, stage, revision: "a".repeat(40) };
      buildNumbers[stage] = number;
      await prisma.build.create({
        data: {
          ...common,
          number: number++,
          state: "running",
          result: "green",
          inProgressSlot: null,
          hostname: `matrix-${stage}.slipway.localhost`,
          databaseName: `matrix_${stage}`,
        },
      });
      // A second build in progress: a rebuild is refused (409) after authorization, so the walk queues nothing.
      await prisma.build.create({ data: { ...common, number: number++, state: "testing" } });
    }
  });

  afterAll(async () => {
    const { deps } = await import("../deps");
    deps().redis.disconnect();
    await deps()
      .queues.close()
      .catch(() => undefined);
    await prisma?.$disconnect();
    await db?.drop();
  });

  const cases = allAccessCases();

  it("covers every cell: each tool and project action appears for every viewer and both public settings", () => {
    expect(cases).toHaveLength(accessActors.length * 2 * (accessStages.length * buildTools.length + projectActions.length));
  });

  for (const publicAccess of [false, true]) {
    describe(`public access ${publicAccess ? "on" : "off"}`, () => {
      beforeAll(async () => {
        await prisma.project.update({ where: { slug }, data: { publicAccess } });
      });

      for (const viewer of viewers) {
        const matrixActor = JSON.stringify(viewer.actor);
        const mine = cases.filter((c) => c.publicAccess === publicAccess && JSON.stringify(c.actor) === matrixActor);

        it(`${viewer.name}: every route answers as the matrix says`, async () => {
          const mismatches: string[] = [];
          for (const c of mine) {
            const probes = routeProbes.filter((p) => (c.action ? p.action === c.action : p.tool === c.tool));
            const cell = c.action ?? `${c.stage}/${c.tool}`;
            const expected = c.expected ? undefined : refusalStatus(viewer, c);
            for (const probe of probes) {
              const abort = new AbortController();
              const response = await probe.call({
                slug,
                buildNumber: buildNumbers[c.stage ?? "development"],
                cookie: cookies.get(viewer.name)!,
                origin,
                signal: abort.signal,
              });
              // A stream is read until subscribed, then closed (as a browser leaving the page).
              if (response.status === 200 && response.headers.get("content-type")?.startsWith("text/event-stream")) {
                await Promise.race([response.body?.getReader().read(), new Promise((resolve) => setTimeout(resolve, 1000))]);
              }
              abort.abort();
              const want = expected ?? probe.allowedStatus;
              if (response.status !== want)
                mismatches.push(`${cell} ${probe.name}: ${response.status} (expected ${want}) ${await response.text().catch(() => "")}`);
            }
            // The access module itself, as every route (including those of other areas) calls it.
            const user = viewer.signedIn ? { id: userIds.get(viewer.name)!, isSuperuser: viewer.actor.kind === "superuser" } : null;
            const check = c.action
              ? authorizeProjectAction({ prisma, user, slug, action: c.action })
              : authorizeBuildTool({ prisma, user, slug, build: { number: buildNumbers[c.stage!] }, tool: c.tool! });
            const status = await check.then(
              () => 200,
              (e: unknown) => accessErrorResponse(e).status,
            );
            if (status !== (expected ?? 200)) mismatches.push(`${cell} authorize*: ${status} (expected ${expected ?? 200})`);
          }
          expect(mismatches).toEqual([]);
        });
      }
    });
  }

  it("walked a route for connect, rebuild, cancel, logs, shell, monitor and the events stream", () => {
    expect(routeProbes.map((p) => p.tool ?? p.action).sort()).toEqual(
      expect.arrayContaining(["connect", "connect_as", "logs", "monitor", "settings", "shell", "view_project"]),
    );
  });

  it("refuses a cross-site POST before anything else, and an unknown build with 404", async () => {
    const connect = (await import("../../app/api/projects/[slug]/builds/[number]/connect/route")).POST;
    const params = { params: Promise.resolve({ slug, number: String(buildNumbers.development) }) };
    const cross = await connect(
      new Request(`${origin}/x`, {
        method: "POST",
        headers: { cookie: cookies.get("admin")!, origin: "https://evil.example" },
        body: "{}",
      }),
      params,
    );
    expect(cross.status).toBe(403);
    expect((await cross.json()).error.message).toMatch(/Cross-site/);
    const missing = await connect(
      new Request(`${origin}/x`, { method: "POST", headers: { cookie: cookies.get("admin")!, origin }, body: "{}" }),
      { params: Promise.resolve({ slug, number: "999" }) },
    );
    expect(missing.status).toBe(404);
  });
});
