import { describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import {
  customDomainState,
  customDomainTarget,
  judgeCname,
  normalizeCustomDomain,
  publicSuffixOf,
  registrableDomainOf,
  verifiedAfterCheck,
} from "./custom-domain";

const base = { baseDomain: "slipway.example.net" };

function reason(input: string): string | undefined {
  try {
    normalizeCustomDomain(input, base);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return (e as DomainError).details?.reason as string;
  }
}

describe("normalizeCustomDomain", () => {
  it("lower-cases, trims and drops the final dot", () => {
    expect(normalizeCustomDomain("  WWW.Shop.Test. ", base)).toBe("www.shop.test");
    expect(normalizeCustomDomain("erp.mycompany.co.uk", base)).toBe("erp.mycompany.co.uk");
  });

  it("converts international names to punycode", () => {
    expect(normalizeCustomDomain("www.bücher.de", base)).toBe("www.xn--bcher-kva.de");
    expect(normalizeCustomDomain("WWW.BÜCHER.DE", base)).toBe("www.xn--bcher-kva.de");
  });

  it("refuses bare domains with the seed's explanation", () => {
    for (const bare of ["example.com", "shop.co.uk", "mycompany.com.au", "shop.test", "bücher.de"])
      expect(reason(bare)).toBe("bare_domain");
    try {
      normalizeCustomDomain("mycompany.com", base);
    } catch (e) {
      expect((e as Error).message).toMatch(/A records/);
      expect((e as Error).message).toMatch(/www\.mycompany\.com/);
      expect((e as Error).message).toMatch(/redirect/);
    }
  });

  it("refuses public suffixes, single labels and IP addresses", () => {
    expect(reason("co.uk")).toBe("public_suffix");
    expect(reason("localhost")).toBe("single_label");
    expect(reason("10.0.0.1")).toBe("ip_address");
  });

  it("refuses the platform's own names", () => {
    expect(reason("slipway.example.net")).toBe("platform_domain");
    expect(reason("acme.slipway.example.net")).toBe("platform_domain");
    expect(reason("ACME--dev-3.Slipway.Example.Net")).toBe("platform_domain");
    expect(reason("www.notslipway.example.net")).toBeUndefined();
  });

  it("refuses what is not a host name", () => {
    for (const bad of [
      "https://www.shop.test",
      "www.shop.test:8443",
      "www.shop.test/path",
      "*.shop.test",
      "www shop.test",
      "a@b.shop.test",
    ])
      expect(reason(bad)).toBe("not_a_hostname");
    expect(reason("")).toBe("empty");
    expect(reason("www..shop.test")).toBe("empty_label");
    expect(reason("-www.shop.test")).toBe("invalid_label");
    expect(reason("www_x.shop.test")).toBe("invalid_label");
  });

  it("enforces DNS lengths", () => {
    expect(reason(`${"a".repeat(64)}.shop.test`)).toBe("label_too_long");
    expect(normalizeCustomDomain(`${"a".repeat(63)}.shop.test`, base)).toHaveLength(73);
    const long = Array.from({ length: 60 }, () => "abcd").join(".") + ".shop.test";
    expect(reason(long)).toBe("too_long");
  });
});

describe("public suffixes", () => {
  it("knows common multi-label suffixes", () => {
    expect(publicSuffixOf("www.shop.co.uk")).toBe("co.uk");
    expect(publicSuffixOf("www.shop.com")).toBe("com");
    expect(registrableDomainOf("a.b.shop.com.br")).toBe("shop.com.br");
    expect(registrableDomainOf("www.shop.test")).toBe("shop.test");
    expect(registrableDomainOf("co.uk")).toBeNull();
  });
});

describe("CNAME checks", () => {
  const target = customDomainTarget({ projectSlug: "acme", baseDomain: "Slipway.Example.Net." });
  it("targets the project's production name", () => expect(target).toBe("acme.slipway.example.net"));

  it("verifies a CNAME to the target, whatever its case and final dot", () => {
    expect(judgeCname({ kind: "cname", targets: ["ACME.slipway.example.net."] }, target)).toEqual({
      result: "verified",
      answer: "CNAME acme.slipway.example.net",
      error: null,
    });
  });

  it("says what the resolver answered otherwise", () => {
    const wrong = judgeCname({ kind: "cname", targets: ["other.slipway.example.net"] }, target);
    expect(wrong.result).toBe("wrong");
    expect(wrong.error).toMatch(/points at other\.slipway\.example\.net, not at acme\.slipway\.example\.net/);
    const missing = judgeCname({ kind: "missing", code: "ENOTFOUND" }, target);
    expect(missing).toMatchObject({ result: "missing", answer: "no such name (NXDOMAIN)" });
    expect(judgeCname({ kind: "failed", code: "ETIMEOUT", message: "timeout" }, target).result).toBe("failed");
  });

  it("a failed look-up keeps the verification, a missing or wrong record takes it back", () => {
    expect(verifiedAfterCheck("failed", true)).toBe(true);
    expect(verifiedAfterCheck("failed", false)).toBe(false);
    expect(verifiedAfterCheck("missing", true)).toBe(false);
    expect(verifiedAfterCheck("wrong", true)).toBe(false);
    expect(verifiedAfterCheck("verified", false)).toBe(true);
  });

  it("derives the state shown", () => {
    const at = new Date();
    expect(customDomainState({ verifiedAt: null, lastResult: null, certificateExpiresAt: null })).toBe("pending");
    expect(customDomainState({ verifiedAt: null, lastResult: "missing", certificateExpiresAt: null })).toBe("pending");
    expect(customDomainState({ verifiedAt: null, lastResult: "wrong", certificateExpiresAt: null })).toBe("error");
    expect(customDomainState({ verifiedAt: at, lastResult: "verified", certificateExpiresAt: null })).toBe("verified");
    expect(customDomainState({ verifiedAt: at, lastResult: "verified", certificateExpiresAt: at })).toBe("certificate");
  });
});
