import { describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import { neutralizationChecks } from "./checks";
import { AUTOVACUUM_CRON_IDS } from "./statements";

const base = { catcherHost: "slipway-mail", catcherPort: 1025, oldUuid: "00000000-0000-4000-8000-000000000000" };

describe("neutralizationChecks", () => {
  const checks = neutralizationChecks(base);
  const sqlOf = (name: string) => checks.find((c) => c.name === name)?.sql ?? "";

  it("verifies crons, mail servers, the flag and the uuid, each with a message", () => {
    expect(checks.map((c) => c.name)).toEqual([
      "no_active_cron_but_autovacuum",
      "only_catcher_mail_server",
      "neutralized_flag_set",
      "uuid_changed",
    ]);
    for (const c of checks) {
      expect(c.sql).toMatch(/^SELECT .* AS ok,/);
      expect(c.sql).toMatch(/AS detail\s/);
      expect(c.sql).not.toMatch(/GROUP BY|;/); // one row, one statement
      expect(c.message).toMatch(/\.$/);
    }
  });

  it("uses the same autovacuum rule as the statements", () => {
    expect(sqlOf("no_active_cron_but_autovacuum")).toContain(`c.id NOT IN (${AUTOVACUUM_CRON_IDS})`);
  });

  it("recognises the catcher by name, host and port and tolerates no other active server", () => {
    const sql = sqlOf("only_catcher_mail_server");
    expect(sql).toContain("m.name = 'Slipway mail catcher' AND m.smtp_host = 'slipway-mail' AND m.smtp_port = 1025");
    expect(sql).toContain("count(*) FILTER (WHERE NOT s.is_catcher) = 0");
    expect(sql).toContain("WHERE m.active");
  });

  it("compares the uuid with the old one, quoted, and with the new one when given", () => {
    expect(sqlOf("uuid_changed")).toContain("lower(u.value) <> lower('00000000-0000-4000-8000-000000000000')");
    expect(sqlOf("uuid_changed")).not.toContain("lower(u.value) = ");
    const quoted = neutralizationChecks({ ...base, oldUuid: "it's-odd" }).find((c) => c.name === "uuid_changed")?.sql;
    expect(quoted).toContain("lower('it''s-odd')");
    const withNew = neutralizationChecks({ ...base, newUuid: "1B4E28BA-2FA1-11D2-883F-0016D3CCA427" }).find(
      (c) => c.name === "uuid_changed",
    )?.sql;
    expect(withNew).toContain("AND lower(u.value) = '1b4e28ba-2fa1-11d2-883f-0016d3cca427'");
  });

  it("checks the flag's value, not only its presence", () => {
    expect(sqlOf("neutralized_flag_set")).toContain("lower(p.value) IN ('true', 't', '1')");
  });

  it("refuses invalid catcher settings and uuids", () => {
    expect(() => neutralizationChecks({ ...base, catcherHost: "a b" })).toThrow(DomainError);
    expect(() => neutralizationChecks({ ...base, catcherPort: 0 })).toThrow(DomainError);
    expect(() => neutralizationChecks({ ...base, newUuid: "nope" })).toThrow(DomainError);
    expect(() => neutralizationChecks({ ...base, oldUuid: "x$y" })).toThrow(DomainError);
  });
});
