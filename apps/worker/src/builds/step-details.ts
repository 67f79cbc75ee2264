// What each pipeline step records in its BuildStep row (`detail`), as one type map keyed by step
// name. The step runner writes a step's detail with this type and reads it back with it when a retry
// reuses the step; other code reads a step of any build (a previous build's checkout, a plan that
// says who owns the production database) through `readStepDetails`.
import { readBuildSteps, readStepDetail, type BuildStepRecord, type Db } from "@slipway/db";
import type { AddonsDiscovery, RunClassification, StepName, VersionUpdate } from "@slipway/domain";

/** An Odoo run of a step (create the database, install, update). */
interface RunDetail {
  classification: RunClassification;
  durationMs: number;
  /** The Odoo command line of the run (shown on the build page: test tags, module list). */
  command?: string[];
}

/** The module changes a production build applies to the live database, decided before anything moves. */
export interface ProductionUpdatePlan {
  update: string[];
  install: string[];
  versionChanges: VersionUpdate[];
  checksums: Record<string, string>;
  /** The production build serving when the plan was made (stopped after the update, brought back on rollback). */
  previousBuildId: string | null;
  requirementsChanged: boolean;
  installedBefore: string[];
}

/** First production build (the database is created) or an update of the existing one. */
export type PlanDetail = { mode: "first" } | ({ mode: "update" } & ProductionUpdatePlan);

/** A staging database: copied from production, or taken over from the branch's previous staging build. */
export type CopyDetail =
  | { mode: "reuse"; from: string; oldUuid: string }
  | {
      mode: "copy";
      oldUuid: string;
      sourceTakenAt: string;
      sourceRefreshed: boolean;
      refreshMs: number;
      copyMs: number;
      filestoreMode: string;
      files: number;
      /** clone: a standby snapshot in the build's own cluster (ADR 0009); dump/template: ADR 0002 (absent before issue 18: dump). */
      copyMode?: "clone" | "dump" | "template";
      /** Clones on but not used: why (no copy-on-write storage, standby lagging or being created). */
      cloneFallback?: string;
      clone?: { container: string; storage: string; lsn: string; waitMs: number; snapshotMs: number; totalMs: number };
    };

type NeutralizationChecks = { name: string; detail: string }[];

export interface StepDetails {
  fetch: { revision: string; subject: string; submodules: string[] };
  discover: AddonsDiscovery;
  /** `baseImage`: the Odoo image the build starts from (a development branch may pick its own version). */
  dependencies: { image: string; reused: boolean; baseImage?: string };
  plan: PlanDetail;
  copy: CopyDetail;
  neutralize:
    | { reused: true; checks: NeutralizationChecks }
    | { newUuid: string; odooNeutralize: boolean; checks: NeutralizationChecks; classification: RunClassification | null };
  create_database: RunDetail;
  install: RunDetail & { modules: string[] };
  backup: { taken: false; why: string } | { taken: true; backupId: string; location: string | null; sizeBytes: string | null };
  maintenance: { stoppedContainers: number };
  snapshot: { snapshot: string; filestoreMode: string; files: number };
  update: { update: string[]; install: string[]; note: string } | (RunDetail & { update: string[]; install: string[] });
  start: { containerId: string | null; ip: string; classification: RunClassification };
  route: { hostname: string };
}

/** Any step's detail. */
export type AnyStepDetail = StepDetails[StepName];

/**
 * A detail read back from a step row. Rows are only written by the step runner with the type of
 * their step name (the map above), so the stored JSON is that type: this is the one place that says so.
 */
export function storedStepDetail<N extends StepName>(step: N, raw: unknown): StepDetails[N] | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== "object") throw new Error(`the recorded detail of step ${step} is not an object`);
  return raw as StepDetails[N];
}

/** The detail a build's step recorded (null when the step did not succeed or recorded nothing). */
export async function readStepDetails<N extends StepName>(db: Db, buildId: string, step: N): Promise<StepDetails[N] | null> {
  return storedStepDetail(step, await readStepDetail(db, buildId, step));
}

/** A build's step rows: their state, and the typed detail of a succeeded one. */
export interface BuildStepRows {
  state(step: StepName): BuildStepRecord["state"] | undefined;
  detail<N extends StepName>(step: N): StepDetails[N] | null;
}

export async function readBuildStepRows(db: Db, buildId: string): Promise<BuildStepRows> {
  const rows = await readBuildSteps(db, buildId);
  return {
    state: (step) => rows.get(step)?.state,
    detail: (step) => storedStepDetail(step, rows.get(step)?.detail),
  };
}

/** The Odoo run classification a step recorded, if it ran Odoo (its colour counts in the build's). */
export function classificationOf(detail: AnyStepDetail): RunClassification | null {
  return "classification" in detail ? detail.classification : null;
}
