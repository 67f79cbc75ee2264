import { describe, expect, it } from "vitest";
import { buildLogsDir, buildWorkspace, isInBuildMailsDir, mailFile, mergeWorkdir } from "./state-paths";

const id = "0b7a3c5e-1f2d-4e6a-9b8c-7d6e5f4a3b2c";

describe("state paths", () => {
  it("lays out a build's folder, its logs and its captured mails under the state folder", () => {
    expect(buildWorkspace("/srv/slipway", id)).toEqual({
      root: `/srv/slipway/builds/${id}`,
      src: `/srv/slipway/builds/${id}/src`,
      logs: `/srv/slipway/builds/${id}/logs`,
    });
    expect(buildLogsDir("/srv/slipway", id)).toBe(`/srv/slipway/builds/${id}/logs`);
    expect(mailFile("/srv/slipway", id, id)).toBe(`/srv/slipway/mails/${id}/${id}.eml`);
    expect(mergeWorkdir("/srv/slipway", id)).toBe(`/srv/slipway/merges/${id}`);
  });

  it("refuses ids that are not UUIDs, so no path leaves its folder", () => {
    expect(() => buildWorkspace("/srv/slipway", "../../etc")).toThrow(/invalid build id/);
    expect(() => mailFile("/srv/slipway", id, "../x")).toThrow(/invalid mail id/);
    expect(() => mergeWorkdir("/srv/slipway", "x")).toThrow(/invalid merge id/);
  });

  it("tells whether a file lies inside a build's mail folder", () => {
    expect(isInBuildMailsDir("/srv/slipway", id, `/srv/slipway/mails/${id}/${id}.eml`)).toBe(true);
    expect(isInBuildMailsDir("/srv/slipway", id, `/srv/slipway/mails/${id}/../other/x.eml`)).toBe(false);
    expect(isInBuildMailsDir("/srv/slipway", id, `/srv/slipway/mails/${id}`)).toBe(false);
  });
});
