import { describe, expect, it } from "vitest";
import { databaseCredentials, rolePassword } from "./roles";

const server = { roleSecret: "s".repeat(43), hostForBuilds: "slipway-postgres", port: 5432 };

describe("database role credentials", () => {
  it("derive one stable password per role, different for every role", () => {
    expect(rolePassword(server, "acme")).toBe(rolePassword(server, "acme"));
    expect(rolePassword(server, "acme")).not.toBe(rolePassword(server, "acme--main-1"));
    expect(rolePassword({ ...server, roleSecret: "t".repeat(43) }, "acme")).not.toBe(rolePassword(server, "acme"));
    expect(databaseCredentials(server, "acme")).toEqual({
      host: "slipway-postgres",
      port: 5432,
      user: "acme",
      password: rolePassword(server, "acme"),
    });
  });

  it("never start with '-' (the image's entrypoint hands them to argparse as --db_password VALUE)", () => {
    // base64url gave one database in 64 a password argparse took for an option: builds failed at random.
    for (let i = 0; i < 2_000; i++) {
      const password = rolePassword(server, `p${i}--main-${i}`);
      expect(password).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
