import { recordStepFinished, recordStepSkipped, recordStepStarted, succeededStepDetails } from "@slipway/db";
import type { BuildResult, BuildState, Prisma, PrismaClient } from "@slipway/db";
import { inProgressStates, type OffendingLine } from "@slipway/domain";
import { publishProjectNotice } from "@slipway/queue";
import type { Redis } from "ioredis";

/**
 * Writes a build's progress to its row and step rows (the source of truth) and tells the UI.
 * Every state change is conditional: a build that reached a final state (cancelled, failed) is
 * never moved back by a late writer.
 */
export class BuildRecorder {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly redis: Redis,
    readonly buildId: string,
    readonly projectId: string,
  ) {}

  private notify(): void {
    void publishProjectNotice(this.redis, { projectId: this.projectId, buildId: this.buildId, kind: "build" }).catch(() => undefined);
  }

  /** Moves an in-progress build to another in-progress state; false when it is no longer in progress. */
  async setState(state: BuildState): Promise<boolean> {
    const res = await this.prisma.build.updateMany({
      where: { id: this.buildId, state: { in: [...inProgressStates] } },
      data: { state, startedAt: state === "queued" ? undefined : undefined },
    });
    if (res.count) this.notify();
    return res.count === 1;
  }

  async markStarted(): Promise<void> {
    await this.prisma.build.updateMany({ where: { id: this.buildId, startedAt: null }, data: { startedAt: new Date() } });
  }

  // Step rows go through the build-steps repository; their details are typed by the step runner (step-details.ts).
  async stepStarted(name: string, position: number, logFile?: string): Promise<void> {
    await recordStepStarted(this.prisma, { buildId: this.buildId, name, position, logFile });
    this.notify();
  }

  async stepFinished(name: string, outcome: { ok: boolean; detail?: unknown; error?: string }): Promise<void> {
    await recordStepFinished(this.prisma, { buildId: this.buildId, name, ...outcome });
    this.notify();
  }

  async stepSkipped(name: string, position: number, reason: string): Promise<void> {
    await recordStepSkipped(this.prisma, { buildId: this.buildId, name, position, reason });
  }

  /** Succeeded steps of an earlier attempt, with what they recorded (resume instead of repeat). */
  async completedSteps(): Promise<Map<string, unknown>> {
    return succeededStepDetails(this.prisma, this.buildId);
  }

  async update(data: Prisma.BuildUpdateManyMutationInput): Promise<void> {
    await this.prisma.build.updateMany({ where: { id: this.buildId }, data });
    this.notify();
  }

  /** Ends the build: releases the branch's in-progress slot; false when it had already ended. */
  async finish(outcome: {
    state: "running" | "failed" | "cancelled";
    result: BuildResult | null;
    reason?: string | null;
    offending?: (OffendingLine & { step: string })[];
  }): Promise<boolean> {
    const res = await this.prisma.build.updateMany({
      where: { id: this.buildId, state: { in: [...inProgressStates] } },
      data: {
        state: outcome.state,
        result: outcome.result,
        failureReason: outcome.reason ?? null,
        offendingLines: outcome.offending ? (outcome.offending as unknown as Prisma.InputJsonValue) : undefined,
        inProgressSlot: null,
        finishedAt: new Date(),
      },
    });
    this.notify();
    return res.count === 1;
  }

  async event(kind: string, message: string, branchId: string): Promise<void> {
    await this.prisma.event.create({ data: { projectId: this.projectId, branchId, buildId: this.buildId, kind, message } });
  }
}
