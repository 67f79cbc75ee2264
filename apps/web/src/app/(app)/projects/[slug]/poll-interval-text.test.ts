import { describe, expect, it } from "vitest";
import { pollIntervalText } from "./poll-interval-text";

describe("pollIntervalText", () => {
  it("says the poll interval in the largest whole unit", () => {
    expect(pollIntervalText(180)).toBe("every 3 minutes");
    expect(pollIntervalText(60)).toBe("every minute");
    expect(pollIntervalText(90)).toBe("every 90 seconds");
    expect(pollIntervalText(3600)).toBe("every hour");
    expect(pollIntervalText(7200)).toBe("every 2 hours");
  });
});
