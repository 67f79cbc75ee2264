import { describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import {
  assertHostname,
  assertPort,
  assertSecret,
  assertUuid,
  columnExists,
  doBlock,
  ifThen,
  sqlIdentifier,
  sqlString,
  tableExists,
} from "./sql";

describe("sqlString", () => {
  it("quotes and doubles single quotes; backslashes stay plain characters", () => {
    expect(sqlString("abc")).toBe("'abc'");
    expect(sqlString("O'Brien")).toBe("'O''Brien'");
    expect(sqlString("'; DROP TABLE x; --")).toBe("'''; DROP TABLE x; --'");
    expect(sqlString("a\\b")).toBe("'a\\b'");
  });

  it("refuses NUL bytes and dollar signs (which could end a DO block body)", () => {
    expect(() => sqlString("a\u0000b")).toThrow(DomainError);
    expect(() => sqlString("x$slipway$; DROP TABLE y")).toThrow(/dollar/);
  });
});

describe("identifiers and guards", () => {
  it("accepts only plain snake_case identifiers", () => {
    expect(sqlIdentifier("ir_mail_server")).toBe("ir_mail_server");
    for (const bad of ["IrCron", "ir_cron; drop", 'x"y', "1abc", ""]) expect(() => sqlIdentifier(bad)).toThrow(DomainError);
  });

  it("builds existence guards", () => {
    expect(tableExists("ir_cron")).toBe("to_regclass('ir_cron') IS NOT NULL");
    expect(columnExists("website", "robots_txt")).toBe(
      "EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('website') AND attname = 'robots_txt' AND attnum > 0 AND NOT attisdropped)",
    );
    expect(ifThen("a", "b;", "c;")).toBe("IF a THEN\nb;\nELSE\nc;\nEND IF;");
    expect(doBlock("x;")).toBe("DO $slipway$\nBEGIN\nx;\nEND\n$slipway$;");
  });
});

describe("validators", () => {
  it("accepts host names and IPv4 addresses only", () => {
    for (const ok of ["mail-catcher", "localhost", "slipway-mail.internal", "172.18.0.5", "a"])
      expect(() => assertHostname(ok)).not.toThrow();
    for (const bad of ["", "-x", "x-", "a..b", "host name", "x'y", "x;y", "x$y", "[::1]", "a".repeat(64), "ünï"]) {
      expect(() => assertHostname(bad), bad).toThrow(DomainError);
    }
  });

  it("accepts ports 1–65535 as integers", () => {
    for (const ok of [1, 25, 1025, 65535]) expect(() => assertPort(ok)).not.toThrow();
    for (const bad of [0, -1, 65536, 25.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => assertPort(bad)).toThrow(DomainError);
  });

  it("accepts UUIDs and plain secrets", () => {
    expect(() => assertUuid("1B4E28BA-2FA1-11D2-883F-0016D3CCA427")).not.toThrow();
    expect(() => assertUuid("1b4e28ba2fa111d2883f0016d3cca427")).toThrow(DomainError);
    expect(() => assertSecret("0123456789abcdef_-XYZ")).not.toThrow();
    for (const bad of ["short", "x".repeat(129), "0123456789abcdef'", "0123456789abcdef$"])
      expect(() => assertSecret(bad)).toThrow(DomainError);
  });
});
