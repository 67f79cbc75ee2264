import { describe, expect, it } from "vitest";
import { clientIp, sessionCookieOptions } from "./session-cookie";

describe("sessionCookieOptions", () => {
  it("is httpOnly and SameSite=Lax, Secure only behind https", () => {
    expect(sessionCookieOptions({ publicUrl: "http://127.0.0.1:3000" })).toMatchObject({ httpOnly: true, sameSite: "lax", secure: false, path: "/" });
    expect(sessionCookieOptions({ publicUrl: "https://slipway.example.com" }).secure).toBe(true);
  });

  it("lasts 30 days at most", () => {
    expect(sessionCookieOptions({ publicUrl: "http://x" }).maxAge).toBe(30 * 24 * 3600);
  });
});

describe("clientIp", () => {
  const headers = (values: Record<string, string>) => new Headers(values);

  it("takes the last X-Forwarded-For entry (added by the nearest proxy)", () => {
    expect(clientIp(headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.7" }))).toBe("203.0.113.7");
    expect(clientIp(headers({ "x-forwarded-for": "127.0.0.1" }))).toBe("127.0.0.1");
  });

  it("falls back to X-Real-IP, then to a shared bucket", () => {
    expect(clientIp(headers({ "x-real-ip": "198.51.100.2" }))).toBe("198.51.100.2");
    expect(clientIp(headers({}))).toBe("unknown");
  });
});
