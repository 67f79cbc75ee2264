// The resumable step mechanism of the development pipeline, shared by the staging and production
// pipelines: each step is recorded (BuildStep row with its `detail`), a retry after a crash reuses
// the detail of steps that completed, and a failure becomes a red build with its offending lines.
import type { BuildState, RunClassification, StepName } from "@slipway/domain";
import type { PlannedStep } from "./pipeline";
import type { BuildRecorder } from "./recorder";
import { BuildStopped, StepFailure } from "./step-failure";
import { classificationOf, storedStepDetail, type StepDetails } from "./step-details";

export interface StepRunner {
  /**
   * Runs one step unless an earlier attempt completed it (`reuse`): its recorded detail is returned.
   * The step returns its detail or throws a StepFailure; any other error fails it with its message.
   * A detail with a red classification is recorded as a failed step but returned: the pipeline goes
   * on (e.g. to start the server of a database whose tests failed) and the build ends red.
   */
  step<N extends StepName>(name: N, run: () => Promise<StepDetails[N]>, reuse?: boolean): Promise<StepDetails[N]>;
  skip(name: StepName, reason: string): Promise<void>;
  /** Forgets completed steps so they run again (a database that must be rebuilt, a restore). */
  forget(...names: StepName[]): void;
  /** Whether an earlier attempt completed the step (its detail is reused). */
  completed(name: StepName): boolean;
  /** Classifications of every Odoo run (their combination is the build's colour). */
  classifications: RunClassification[];
}

/** What the runner needs of the build's recorder. */
export type StepRecorder = Pick<BuildRecorder, "setState" | "stepStarted" | "stepFinished" | "stepSkipped" | "completedSteps">;

export async function createStepRunner(options: {
  recorder: StepRecorder;
  checkpoint: () => Promise<void>;
  plan: readonly PlannedStep[];
}): Promise<StepRunner> {
  const { recorder, checkpoint, plan } = options;
  const done = await recorder.completedSteps();
  const classifications: RunClassification[] = [];
  /** The build state this runner last set (null: none yet, so the first step always sets it). */
  let shownState: BuildState | null = null;
  const position = (name: StepName) => {
    const i = plan.findIndex((s) => s.name === name);
    if (i < 0) throw new Error(`step ${name} is not in the plan`);
    return i;
  };
  const collect = <N extends StepName>(detail: StepDetails[N]): StepDetails[N] => {
    const c = classificationOf(detail);
    if (c) classifications.push(c);
    return detail;
  };
  return {
    classifications,
    forget: (...names) => names.forEach((n) => done.delete(n)),
    completed: (name) => done.has(name),
    async skip(name, reason) {
      await recorder.stepSkipped(name, position(name), reason);
    },
    async step<N extends StepName>(name: N, run: () => Promise<StepDetails[N]>, reuse = true): Promise<StepDetails[N]> {
      const previous = done.has(name) ? storedStepDetail(name, done.get(name)) : null;
      if (reuse && previous) {
        await checkpoint();
        return collect(previous);
      }
      const planned = plan[position(name)]!;
      // The checkpoint and the step's two rows (the build's state, the step's) at once, the state
      // only when it changes (fetch and discover share theirs): round trips between steps are
      // overhead (issue 18). A build stopped meanwhile has its step shown skipped, never running.
      const stopped = checkpoint().then(
        () => null,
        (e: unknown) => e,
      );
      const moveState = planned.state === shownState ? null : recorder.setState(planned.state);
      await Promise.all([stopped, moveState, recorder.stepStarted(name, position(name), planned.logFile)]);
      shownState = planned.state;
      const stop = await stopped;
      if (stop) {
        if (stop instanceof BuildStopped)
          await recorder.stepSkipped(name, position(name), `not run: ${stop.message}`).catch(() => undefined);
        throw stop;
      }
      let detail: StepDetails[N];
      try {
        detail = await run();
      } catch (e) {
        if (e instanceof BuildStopped) throw e;
        const failure = e instanceof StepFailure ? e : new StepFailure((e as Error).message);
        await recorder.stepFinished(name, { ok: false, error: failure.reason });
        throw failure;
      }
      // A red run the pipeline goes on after (tests that failed on an installed database): the step
      // is shown failed with its reasons, the build ends red, and a resumed build runs it again.
      const red = classificationOf(detail);
      if (red?.status === "red") {
        await recorder.stepFinished(name, { ok: false, detail, error: red.reasons.join("; ") || `${name} failed` });
        return collect(detail);
      }
      await recorder.stepFinished(name, { ok: true, detail });
      done.set(name, detail);
      return collect(detail);
    },
  };
}
