import {
  advanceBuild,
  finishBuild,
  insertEvent,
  markBuildStarted,
  recordBuildFacts,
  recordStepFinished,
  recordStepSkipped,
  recordStepStarted,
  succeededStepDetails,
  type BuildEnd,
  type BuildFacts,
  type Db,
} from "@slipway/db";
import type { BuildState } from "@slipway/domain";
import { publishProjectNotice } from "@slipway/queue";
import type { Redis } from "ioredis";

/**
 * Writes a build's progress to its row and step rows (the source of truth) and tells the UI.
 * State changes go through the build repository, which allows only the lifecycle's transitions: a
 * build that reached a final state (cancelled, failed) is never moved back by a late writer.
 */
export class BuildRecorder {
  constructor(
    private readonly prisma: Db,
    private readonly redis: Redis,
    readonly buildId: string,
    readonly projectId: string,
  ) {}

  private notify(): void {
    void publishProjectNotice(this.redis, { projectId: this.projectId, buildId: this.buildId, kind: "build" }).catch(() => undefined);
  }

  /** Moves an in-progress build to another in-progress state; false when it is no longer in progress. */
  async setState(state: BuildState): Promise<boolean> {
    const moved = await advanceBuild(this.prisma, this.buildId, state);
    if (moved) this.notify();
    return moved;
  }

  async markStarted(): Promise<void> {
    await markBuildStarted(this.prisma, this.buildId);
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

  async update(facts: BuildFacts): Promise<void> {
    await recordBuildFacts(this.prisma, this.buildId, facts);
    this.notify();
  }

  /** Ends the build: releases the branch's in-progress slot; false when it had already ended. */
  async finish(end: BuildEnd): Promise<boolean> {
    const ended = await finishBuild(this.prisma, this.buildId, end);
    this.notify();
    return ended;
  }

  async event(kind: string, message: string, branchId: string): Promise<void> {
    await insertEvent(this.prisma, { projectId: this.projectId, branchId, buildId: this.buildId, kind, message });
  }
}
