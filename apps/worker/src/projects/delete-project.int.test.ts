import { existsSync } from "node:fs";
import { buildWorkspace } from "@slipway/config";
import { findProjectBySlug, markBranchDeleting, markProjectDeleting, recordPush } from "@slipway/db";
import { inspectNetwork, inspectVolume, listContainers } from "@slipway/docker";
import { volumeName } from "@slipway/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteBranch, removeBuilds } from "../branches/delete-branch";
import { projectNetworkName } from "../isolation/project-network";
import { databaseExists, listDatabases } from "../postgres";
import { routeProjectId } from "../proxy/caddy";
import { createPipelineHarness, type PipelineHarness } from "../testing/pipeline-harness";
import { fixtureAddon } from "../testing/tree-repo";
import { deleteProject, isProjectDatabase, purgeDeletedProjects, resumeDeletions } from "./delete-project";

// Deleting a branch and a project on the real stack (issue 14): stand-in image builds with their
// containers, databases, volumes and Caddy routes, then the worker's deletion jobs. A second
// project (own control-plane database, same Docker/PostgreSQL/Caddy) must come out untouched.
const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const DAY = 86_400_000;
const green = fixtureAddon("green_addon");
let a: PipelineHarness;
let b: PipelineHarness;

type BuildRow = { id: string; branchId: string; databaseName: string | null; hostname: string | null };

async function resourcesOf(h: PipelineHarness, build: BuildRow) {
  const pg = await h.deps.postgres();
  return {
    database: await databaseExists({ pg, name: build.databaseName! }),
    containers: (await listContainers({ docker: h.deps.docker, labels: { build: build.id }, all: true })).length,
    volume: (await inspectVolume({ docker: h.deps.docker, name: volumeName({ databaseName: build.databaseName! }) })) !== null,
    routes: (await h.deps.caddy.routeIds()).filter((id) => id.includes(build.id)).length,
    workspace: existsSync(buildWorkspace(h.deps.config.home, build.id).root),
  };
}
const alive = { database: true, containers: 1, volume: true, routes: 1, workspace: true };
const gone = { database: false, containers: 0, volume: false, routes: 0, workspace: false };

beforeAll(async () => {
  a = await createPipelineHarness({ prefix: "dela", image, env: process.env });
  b = await createPipelineHarness({ prefix: "delb", image, env: process.env });
}, 120_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
});

describe("deleting a branch and a project", () => {
  let production: BuildRow;
  let kept: BuildRow;
  let other: BuildRow;
  const actor = { actorId: "", actorLogin: "ada" };

  it("a branch: its builds' containers, databases, volumes, routes, files and rows go; backups, other branches and projects stay", async () => {
    actor.actorId = (await a.prisma.user.findFirstOrThrow()).id;
    production = await a.pushAndBuild("main", { ...green, "README.md": "v1" }, { stage: "production" });
    const doomed1 = await a.pushAndBuild("feature/gone", { ...green, "README.md": "gone 1" });
    const doomed2 = await a.pushAndBuild("feature/gone", { ...green, "README.md": "gone 2" });
    kept = await a.pushAndBuild("feature/kept", green);
    other = await b.pushAndBuild("feature/gone", green);
    for (const x of [production, doomed2, kept, other]) expect(x).toMatchObject({ state: "running", result: "green" });
    const doomedBranchId = doomed2.branchId;
    // A backup of the branch (a restore point someone took): kept per retention.
    const backup = await a.prisma.backup.create({
      data: { projectId: a.projectId, branchId: doomedBranchId, kind: "manual", state: "done", location: "backups/none" },
    });
    expect(await resourcesOf(a, doomed2)).toEqual(alive);

    // The production branch cannot be marked; the development one can, once.
    expect(await markBranchDeleting(a.prisma, { projectId: a.projectId, branchId: production.branchId, ...actor })).toBe(false);
    expect(await markBranchDeleting(a.prisma, { projectId: a.projectId, branchId: doomedBranchId, ...actor })).toBe(true);
    expect(await markBranchDeleting(a.prisma, { projectId: a.projectId, branchId: doomedBranchId, ...actor })).toBe(false);
    // While the deletion runs, a push to the branch starts nothing.
    const during = await recordPush(a.prisma, {
      projectId: a.projectId,
      branch: "feature/gone",
      revision: a.repo.push("feature/gone", green),
    });
    expect(during.kind).toBe("archived");

    expect(await deleteBranch(a.deps, { branchId: doomedBranchId })).toEqual({ deleted: true });
    for (const x of [doomed1, doomed2]) expect(await resourcesOf(a, x)).toEqual({ ...gone, database: false });
    expect(await a.prisma.build.count({ where: { branchId: doomedBranchId } })).toBe(0);
    const row = await a.prisma.branch.findUniqueOrThrow({ where: { id: doomedBranchId } });
    expect(row.deletedAt).not.toBeNull();
    expect(row.archivedAt).not.toBeNull();
    expect(await a.prisma.backup.findUnique({ where: { id: backup.id } })).not.toBeNull();
    expect(await a.prisma.auditEntry.count({ where: { action: "branch.delete", target: "feature/gone" } })).toBe(1);
    // Running it again changes nothing (idempotent job, e.g. a retried attempt).
    expect(await deleteBranch(a.deps, { branchId: doomedBranchId })).toEqual({ deleted: false });

    // Everything else is untouched: the other branches, and the other project's same-named branch.
    for (const x of [kept, other]) expect(await resourcesOf(x === other ? b : a, x)).toEqual(alive);
    expect(await databaseExists({ pg: await a.deps.postgres(), name: a.slug })).toBe(true);
    expect((await a.get(production.hostname!, "/web/login")).status).toBe(200);

    // A push of the head the branch was deleted at (a poll seeing it again) builds nothing…
    const same = await recordPush(a.prisma, { projectId: a.projectId, branch: "feature/gone", revision: row.headRevision! });
    expect(same.kind).toBe("archived");
    expect(await a.prisma.build.count({ where: { branchId: doomedBranchId } })).toBe(0);
    // …a new commit brings the branch back as a new development branch with a queued build.
    const revived = await recordPush(a.prisma, {
      projectId: a.projectId,
      branch: "feature/gone",
      revision: a.repo.push("feature/gone", green),
    });
    expect(revived).toMatchObject({ kind: "recorded", branchId: doomedBranchId });
    expect(await a.prisma.branch.findUniqueOrThrow({ where: { id: doomedBranchId } })).toMatchObject({
      deletingAt: null,
      deletedAt: null,
      archivedAt: null,
      stage: "development",
    });
  }, 600_000);

  it("a project: everything of it goes, also after a crash halfway; its backups stay for the grace period, then go", async () => {
    const backup = await a.prisma.backup.findFirstOrThrow({ where: { projectId: a.projectId } });
    expect(await markProjectDeleting(a.prisma, { projectId: a.projectId, ...actor })).toBe(true);
    // Gone from every lookup at once; a push (webhook or poll) starts nothing.
    expect(await findProjectBySlug(a.prisma, a.slug)).toBeNull();
    const push = await recordPush(a.prisma, { projectId: a.projectId, branch: "main", revision: a.repo.push("main", green) });
    expect(push).toEqual({ kind: "archived", branchId: null });

    // A worker that died halfway: the production build's resources were removed, nothing else.
    await removeBuilds(a.deps, {
      projectSlug: a.slug,
      production: true,
      builds: [{ ...production, number: 1, stage: "production", state: "running", inProgress: false }],
      reload: async () => [],
    });
    expect(await resourcesOf(a, production)).toEqual(gone);
    // Reconcile finds the unfinished deletion and enqueues it again.
    expect(await resumeDeletions(a.deps)).toEqual({ branches: 0, projects: 1 });
    const queued = (await a.deps.queues.get("control").getJobs(["waiting", "prioritized", "delayed"])).filter(
      (j) => j.name === "project.delete" && (j.data as { projectId: string }).projectId === a.projectId,
    );
    expect(queued).toHaveLength(1);
    for (const job of queued) await job.remove();

    expect(await deleteProject(a.deps, { projectId: a.projectId })).toEqual({ deleted: true });
    const pg = await a.deps.postgres();
    expect((await listDatabases({ pg })).filter((n) => isProjectDatabase(a.slug, n))).toEqual([]);
    expect(await listContainers({ docker: a.deps.docker, labels: { project: a.projectId }, all: true })).toEqual([]);
    expect((await a.deps.caddy.routes()).filter((r) => routeProjectId(r) === a.projectId)).toEqual([]);
    expect(await resourcesOf(a, kept)).toEqual(gone);
    expect(await inspectNetwork({ docker: a.deps.docker, name: projectNetworkName(a.slug) })).toBeNull();
    expect(await a.prisma.build.count()).toBe(0);
    expect(await a.prisma.branch.count({ where: { deletedAt: null } })).toBe(0);
    const project = await a.prisma.project.findUniqueOrThrow({ where: { id: a.projectId } });
    expect(project.deletedAt).not.toBeNull();
    const kept7 = await a.prisma.backup.findUniqueOrThrow({ where: { id: backup.id } });
    expect(kept7.expiresAt!.getTime() - project.deletedAt!.getTime()).toBeLessThanOrEqual(7 * DAY + 1_000);
    expect(await resumeDeletions(a.deps)).toEqual({ branches: 0, projects: 0 });

    // The other project still serves.
    expect(await resourcesOf(b, other)).toEqual(alive);
    expect((await b.get(other.hostname!, "/web/login")).status).toBe(200);

    // The garbage collection keeps the backups during the grace period, then removes them and the project.
    expect(await purgeDeletedProjects(a.deps, { now: new Date(Date.now() + 6 * DAY) })).toEqual({ purged: [] });
    expect(await purgeDeletedProjects(a.deps, { now: new Date(Date.now() + 8 * DAY) })).toEqual({ purged: [a.slug] });
    expect(await a.prisma.project.count()).toBe(0);
    expect(await a.prisma.backup.count()).toBe(0);
    expect(await a.prisma.auditEntry.count({ where: { action: "project.delete", target: a.slug } })).toBe(1);
  }, 600_000);
});
