import { describe, expectTypeOf, it } from "vitest";
import type { JobName } from "./catalog";
import type { JobContext, JobHandler, JobHandlers } from "./handlers";

// These checks run in the type check (tsc); the runtime assertions are trivially true.
const noop = async () => {};

describe("JobHandlers", () => {
  it("requires a handler for every catalog job, and only those", () => {
    type Complete = { [N in JobName]: typeof noop };
    expectTypeOf<Complete>().toExtend<JobHandlers>();

    // A catalog job without a handler does not type-check.
    const complete = {} as Complete;
    const { "maintenance.reconcile": _dropped, ...withoutOne } = complete;
    // @ts-expect-error "maintenance.reconcile" has no handler
    const missing: JobHandlers = withoutOne;

    const unknown = {
      ...complete,
      // @ts-expect-error "build.explode" is not in the catalog
      "build.explode": noop,
    } satisfies JobHandlers;

    expectTypeOf(withoutOne).not.toExtend<JobHandlers>();
    expectTypeOf(missing).toExtend<JobHandlers>();
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
