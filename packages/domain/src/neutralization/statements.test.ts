import { describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import { AUTOVACUUM_CRON_IDS, CATCHER_MAIL_SERVER_NAME, neutralizationStatements, type NeutralizationOptions } from "./statements";

const options: NeutralizationOptions = {
  catcherHost: "slipway-mail",
  catcherPort: 1025,
  newUuid: "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
  newSecret: "f3c9a1d2-5b6e-4c7d-8e9f-0a1b2c3d4e5f",
};
const statements = neutralizationStatements(options);
const byName = (name: string) => {
  const found = statements.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no statement ${name}`);
  return found.sql;
};

describe("neutralizationStatements", () => {
  it("lists every family of docs/product/staging-neutralization.md in order, crons first and the identity last", () => {
    expect(statements.map((s) => s.name)).toEqual([
      "crons_off",
      "mail_servers_to_catcher",
      "mail_server_references_cleared",
      "fetchmail_off",
      "payment_providers_off",
      "delivery_carriers_test",
      "iap_tokens_disabled",
      "website_hidden",
      "webhooks_off",
      "neutralized_flag",
      "database_identity",
    ]);
    for (const s of statements) expect(s.purpose.length).toBeGreaterThan(10);
  });

  it("wraps each statement in one DO block with balanced IF/END IF", () => {
    for (const { name, sql } of statements) {
      expect(sql.startsWith("DO $slipway$\nBEGIN\n"), name).toBe(true);
      expect(sql.endsWith("\nEND\n$slipway$;"), name).toBe(true);
      expect(sql.split("$slipway$")).toHaveLength(3);
      const ifs = sql.match(/\bIF\b(?! NOT FOUND)[^;]*?\bTHEN\b/g)?.length ?? 0;
      const notFound = sql.match(/IF NOT FOUND THEN/g)?.length ?? 0;
      expect(ifs + notFound, name).toBe(sql.match(/END IF;/g)?.length ?? 0);
    }
  });

  it("guards every table it writes to, so missing modules are a no-op", () => {
    for (const { name, sql } of statements) {
      const targets = [...sql.matchAll(/\b(?:UPDATE|INSERT INTO)\s+([a-z_]+)/g)].map((m) => m[1]);
      expect(targets.length, name).toBeGreaterThan(0);
      for (const table of targets) expect(sql, `${name} writes ${table ?? ""}`).toContain(`to_regclass('${table ?? ""}')`);
    }
  });

  it("keeps base.autovacuum_job (by XML id, by name only as a fallback) and deactivates the other crons", () => {
    const sql = byName("crons_off");
    expect(sql).toContain(`UPDATE ir_cron c SET active = false WHERE c.active AND c.id NOT IN (${AUTOVACUUM_CRON_IDS});`);
    expect(AUTOVACUUM_CRON_IDS).toContain("d.module = 'base' AND d.name = 'autovacuum_job' AND d.model = 'ir.cron'");
    expect(AUTOVACUUM_CRON_IDS).toMatch(
      /WHERE NOT EXISTS \(SELECT 1 FROM ir_model_data d WHERE d\.module = 'base' AND d\.name = 'autovacuum_job'/,
    );
    expect(AUTOVACUUM_CRON_IDS).toContain("ILIKE '%auto%vacuum%'");
  });

  it("makes the catcher the only active mail server, with the highest priority", () => {
    const sql = byName("mail_servers_to_catcher");
    expect(sql).toContain(`UPDATE ir_mail_server SET active = false WHERE active AND name IS DISTINCT FROM '${CATCHER_MAIL_SERVER_NAME}';`);
    expect(sql).toContain(
      "smtp_host = 'slipway-mail', smtp_port = 1025, smtp_user = NULL, smtp_pass = NULL, smtp_encryption = 'none',\n  sequence = 0, active = true",
    );
    expect(sql).toContain("VALUES ('Slipway mail catcher', 'slipway-mail', 1025, 'none', 'login', 0, true,");
    expect(sql).toContain("VALUES ('Slipway mail catcher', 'slipway-mail', 1025, 'none', 0, true,");
    expect(sql).toContain("UPDATE ir_mail_server SET from_filter = NULL WHERE name = 'Slipway mail catcher';");
    // the catcher row is updated before an insert is considered: running twice leaves one row
    expect(sql.indexOf("IF NOT FOUND THEN")).toBeGreaterThan(sql.indexOf("WHERE name = 'Slipway mail catcher';"));
  });

  it("clears references pinning mails to a specific server", () => {
    const sql = byName("mail_server_references_cleared");
    for (const table of ["mail_mail", "mail_template", "email_template", "mailing_mailing", "mail_mass_mailing"]) {
      expect(sql).toContain(`UPDATE ${table} SET mail_server_id = NULL WHERE mail_server_id IS NOT NULL;`);
    }
  });

  it("covers fetchmail, payments, delivery, IAP, website and webhooks across versions", () => {
    expect(byName("fetchmail_off")).toContain("UPDATE fetchmail_server SET active = false WHERE active;");
    expect(byName("payment_providers_off")).toContain(
      "UPDATE payment_provider SET state = 'disabled' WHERE state NOT IN ('test', 'disabled');",
    );
    expect(byName("payment_providers_off")).toContain("UPDATE payment_acquirer SET environment = 'test'");
    expect(byName("delivery_carriers_test")).toContain("UPDATE delivery_carrier SET prod_environment = false WHERE prod_environment;");
    expect(byName("iap_tokens_disabled")).toContain("|| '+disabled'");
    expect(byName("iap_tokens_disabled")).toContain("NOT LIKE '%+disabled'");
    expect(byName("website_hidden")).toContain("UPDATE website SET robots_txt = 'User-agent: *' || chr(10) || 'Disallow: /';");
    expect(byName("webhooks_off")).toContain("WHERE state = 'webhook'");
  });

  it("sets the flag, a new uuid and a new secret as quoted literals", () => {
    expect(byName("neutralized_flag")).toContain("UPDATE ir_config_parameter SET value = 'true',");
    expect(byName("neutralized_flag")).toContain("VALUES ('database.is_neutralized', 'true',");
    const identity = byName("database_identity");
    expect(identity).toContain(`SET value = '${options.newUuid}', write_date`);
    expect(identity).toContain(`VALUES ('database.secret', '${options.newSecret}',`);
  });

  it("refuses values that are not what they claim to be, so nothing reaches the SQL", () => {
    const bad: Partial<NeutralizationOptions>[] = [
      { catcherHost: "x'; DROP TABLE res_users; --" },
      { catcherHost: "mail catcher" },
      { catcherHost: "x$slipway$" },
      { catcherPort: 0 },
      { catcherPort: 1025.5 },
      { catcherPort: 70000 },
      { newUuid: "'; DELETE FROM res_users; --" },
      { newSecret: "secret'secret'secret" },
      { newSecret: "short" },
    ];
    for (const override of bad) {
      expect(() => neutralizationStatements({ ...options, ...override }), JSON.stringify(override)).toThrow(DomainError);
    }
  });
});
