import { describe, expect, it } from "vitest";
import { sessionTokenFrom } from "../projects/request-user";
import { clientIp, cookieFrom, PEER_ADDRESS_HEADER, sessionCookieOptions, trustedProxyMatcher } from "./session-cookie";

describe("sessionCookieOptions", () => {
  it("is httpOnly and SameSite=Lax, Secure only behind https", () => {
    expect(sessionCookieOptions({ publicUrl: "http://127.0.0.1:3000" })).toMatchObject({
      httpOnly: true,
      sameSite: "lax",
      secure: false,
      path: "/",
    });
    expect(sessionCookieOptions({ publicUrl: "https://slipway.example.com" }).secure).toBe(true);
  });

  it("lasts 30 days at most", () => {
    expect(sessionCookieOptions({ publicUrl: "http://x" }).maxAge).toBe(30 * 24 * 3600);
  });
});

describe("clientIp (issue 12, M2)", () => {
  const headers = (values: Record<string, string>) => new Headers(values);
  const peer = (address: string, extra: Record<string, string> = {}) => headers({ [PEER_ADDRESS_HEADER]: address, ...extra });

  it("is the connection's address, whatever X-Forwarded-For or X-Real-IP claim, when no proxy is trusted", () => {
    expect(clientIp(peer("203.0.113.7", { "x-forwarded-for": "6.6.6.6", "x-real-ip": "7.7.7.7" }))).toBe("203.0.113.7");
    expect(clientIp(peer("::ffff:203.0.113.7"))).toBe("203.0.113.7");
    expect(clientIp(peer("2001:DB8::1"))).toBe("2001:db8::1");
  });

  it("never takes a header's word without a known peer", () => {
    expect(clientIp(headers({ "x-forwarded-for": "6.6.6.6", "x-real-ip": "7.7.7.7" }))).toBe("unknown");
    expect(clientIp(headers({}))).toBe("unknown");
    expect(clientIp(peer("not-an-address"))).toBe("unknown");
  });

  it("believes X-Forwarded-For from a trusted proxy only, read from the right up to the first untrusted hop", () => {
    const trusted = ["127.0.0.1", "10.0.0.0/8"];
    expect(clientIp(peer("127.0.0.1", { "x-forwarded-for": "6.6.6.6, 203.0.113.7" }), trusted)).toBe("203.0.113.7");
    expect(clientIp(peer("::ffff:127.0.0.1", { "x-forwarded-for": "6.6.6.6, 203.0.113.7, 10.1.2.3" }), trusted)).toBe("203.0.113.7");
    expect(clientIp(peer("198.51.100.9", { "x-forwarded-for": "203.0.113.7" }), trusted)).toBe("198.51.100.9");
    expect(clientIp(peer("127.0.0.1"), trusted)).toBe("127.0.0.1");
    expect(clientIp(peer("10.0.0.1", { "x-forwarded-for": "garbage, 10.0.0.2" }), trusted)).toBe("10.0.0.2");
  });

  it("matches IPv6 blocks", () => {
    expect(trustedProxyMatcher(["fd00::/8"])("fd12::1")).toBe(true);
    expect(trustedProxyMatcher(["fd00::/8"])("fe80::1")).toBe(false);
    expect(trustedProxyMatcher([])("127.0.0.1")).toBe(false);
  });
});

describe("cookieFrom (issue 12, L1)", () => {
  it("decodes a cookie's value and treats malformed percent-encoding as no cookie", () => {
    expect(cookieFrom("a=1; b=two%20words", "b")).toBe("two words");
    expect(cookieFrom("slipway_session=%E0%A4%A", "slipway_session")).toBeUndefined();
    expect(cookieFrom("slipway_session=%", "slipway_session")).toBeUndefined();
    expect(sessionTokenFrom("x=1; slipway_session=%zz")).toBeUndefined();
    expect(cookieFrom(null, "b")).toBeUndefined();
  });
});
