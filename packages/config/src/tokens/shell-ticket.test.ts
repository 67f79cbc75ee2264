import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isDomainError } from "@slipway/domain";
import { issueShellTicket, shellTicketKey, verifyShellTicket } from "./shell-ticket";

const key = shellTicketKey(randomBytes(32));
const buildId = "6f1c7a53-3f5e-4c55-9d59-0a4f2b1e7c11";
const userId = "0b7a3c4e-9a5d-4e0b-8f61-2f1e9c3a5b77";

describe("shell tickets", () => {
  it("round-trips the claims before expiry", () => {
    const { ticket, claims } = issueShellTicket({ key, userId, buildId, now: 1_000 });
    expect(claims.exp).toBe(31_000);
    expect(verifyShellTicket({ key, ticket, now: 30_999 })).toEqual(claims);
  });

  it("carries a null user for anonymous visitors", () => {
    const { ticket } = issueShellTicket({ key, userId: null, buildId });
    expect(verifyShellTicket({ key, ticket }).userId).toBeNull();
  });

  it("refuses an expired ticket", () => {
    const { ticket } = issueShellTicket({ key, userId, buildId, now: 1_000 });
    expect(() => verifyShellTicket({ key, ticket, now: 31_001 })).toThrow(/expired/);
  });

  it("refuses a ticket signed with another key (another platform, or a forged one)", () => {
    const { ticket } = issueShellTicket({ key: shellTicketKey(randomBytes(32)), userId, buildId });
    expect(() => verifyShellTicket({ key, ticket })).toThrow(/bad signature/);
  });

  it("refuses altered claims (another build) even with the original signature", () => {
    const { ticket } = issueShellTicket({ key, userId, buildId });
    const [prefix, payload, sig] = ticket.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8"));
    const altered = Buffer.from(JSON.stringify({ ...claims, buildId: "11111111-2222-4333-8444-555555555555" })).toString("base64url");
    try {
      verifyShellTicket({ key, ticket: `${prefix}.${altered}.${sig}` });
      expect.unreachable();
    } catch (e) {
      expect(isDomainError(e, "forbidden")).toBe(true);
    }
  });

  it("refuses malformed tickets", () => {
    for (const ticket of ["", "st1", "st1.a.b.c", "x.y.z", `st1.${"a".repeat(2000)}.b`])
      expect(() => verifyShellTicket({ key, ticket })).toThrow(/malformed/);
  });

  it("derives a key distinct from the platform key", () => {
    const platform = randomBytes(32);
    expect(shellTicketKey(platform).equals(platform)).toBe(false);
    expect(shellTicketKey(platform).equals(shellTicketKey(platform))).toBe(true);
  });
});
