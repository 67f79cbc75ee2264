import { describe, expectTypeOf, it } from "vitest";
import type { JobName } from "./catalog";
import type { JobContext, JobHandler, JobHandlers } from "./handlers";

// These checks run in the type check (tsc); the runtime assertions are trivially true.
const noop = async () => {};

describe("JobHandlers", () => {
  it("requires a handler for every catalog job, and only those", () => {
    const complete = {
      "build.run": noop,
      "build.cancel": noop,
      "branch.poll": noop,
      "backup.daily": noop,
      "maintenance.gc": noop,
      "maintenance.reconcile": noop,
    } satisfies JobHandlers;
    expectTypeOf(complete).toExtend<JobHandlers>();

    const missing = {
      "build.run": noop,
      "build.cancel": noop,
      "branch.poll": noop,
      "backup.daily": noop,
      "maintenance.gc": noop,
      // @ts-expect-error "maintenance.reconcile" has no handler
    } satisfies JobHandlers;

    const unknown = {
      ...complete,
      // @ts-expect-error "build.explode" is not in the catalog
      "build.explode": noop,
    } satisfies JobHandlers;

    expectTypeOf(missing).not.toExtend<JobHandlers>();
    expectTypeOf(unknown).toExtend<JobHandlers>();
    expectTypeOf<keyof JobHandlers>().toEqualTypeOf<JobName>();
  });

  it("types each handler's payload from its zod schema", () => {
    expectTypeOf<Parameters<JobHandler<"build.run">>[0]>().toEqualTypeOf<{ buildId: string }>();
    expectTypeOf<Parameters<JobHandler<"branch.poll">>[0]>().toEqualTypeOf<{ projectId: string }>();
    expectTypeOf<Parameters<JobHandler<"build.run">>[1]>().toEqualTypeOf<JobContext>();

    const wrongPayload = {
      "build.run": async (payload: { buildId: string }) => {
        // @ts-expect-error build.run carries a buildId, not a projectId
        void payload.projectId;
      },
    } satisfies Partial<JobHandlers>;
    expectTypeOf(wrongPayload).toBeObject();
  });
});
