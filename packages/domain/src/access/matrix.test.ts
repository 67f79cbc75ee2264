import { describe, expect, it } from "vitest";
import { allAccessCases, type AccessCase } from "./can";
import { buildTools, projectActions } from "./matrix";

/*
 * Independent expectation, copied by hand from docs/product/roles-and-access.md (role table and public access) and the
 * decisions documented in matrix.ts, written as text so it does not share code with the matrix.
 * Columns: developer tester admin public (y = allowed).
 */
const expectedTable = `
development connect   y y y y
development connect_as y y y y
development history   y y y n
development mails     y y y y
development shell     y y y y
development editor    y y y n
development monitor   y y y n
development logs      y y y y
development upgrade   y y y n
development settings  y y y n
development status    y y y y
development backups   n n n n
staging     connect   y y y n
staging     connect_as n y y n
staging     history   y y y n
staging     status    y y y y
staging     mails     n y y n
staging     shell     n y y n
staging     editor    n y y n
staging     monitor   n y y n
staging     logs      n y y n
staging     upgrade   n y y n
staging     settings  n y y n
staging     backups   n y y n
production  connect   y y y n
production  connect_as n n y n
production  history   y y y n
production  status    y y y y
production  shell     n n y n
production  editor    n n y n
production  monitor   n n y n
production  logs      n n y n
production  backups   n n y n
production  upgrade   n n y n
production  settings  n n y n
production  mails     n n n n
project     view_project          y y y y
project     project_settings      n n y n
project     audit_log             n n y n
project     manage_collaborators  n n y n
`;

const expected = new Map<string, { developer: boolean; tester: boolean; admin: boolean; public: boolean }>();
for (const line of expectedTable.trim().split("\n")) {
  const [scope, name, d, t, a, p] = line.trim().split(/\s+/);
  expected.set(`${scope}/${name}`, { developer: d === "y", tester: t === "y", admin: a === "y", public: p === "y" });
}

function expectedAnswer(c: AccessCase): boolean {
  const row = expected.get(c.action !== undefined ? `project/${c.action}` : `${c.stage}/${c.tool}`);
  if (row === undefined) throw new Error(`no expectation for ${JSON.stringify(c)}`);
  const publicCell = c.publicAccess && row.public;
  switch (c.actor.kind) {
    case "anonymous":
      return publicCell;
    case "superuser":
      return row.admin || publicCell;
    case "collaborator":
      return row[c.actor.role] || publicCell;
  }
}

describe("role matrix", () => {
  const cases = allAccessCases();

  it("covers every actor × public access × cell exactly once", () => {
    const cells = 3 * buildTools.length + projectActions.length;
    expect(expected.size).toBe(cells);
    expect(cases).toHaveLength(5 * 2 * cells);
    const keys = cases.map((c) => JSON.stringify([c.actor, c.publicAccess, c.stage, c.tool, c.action]));
    expect(new Set(keys).size).toBe(cases.length);
  });

  it("matches docs/product/roles-and-access.md in every cell", () => {
    const mismatches = cases
      .filter((c) => c.expected !== expectedAnswer(c))
      .map((c) => `${JSON.stringify(c.actor)} public=${c.publicAccess} ${c.action ?? `${c.stage}/${c.tool}`}: got ${c.expected}`);
    expect(mismatches).toEqual([]);
  });

  it("gives anonymous visitors nothing when public access is off", () => {
    expect(cases.filter((c) => c.actor.kind === "anonymous" && !c.publicAccess && c.expected)).toEqual([]);
  });

  it("gives a public project's visitors only development tools, statuses and the builds page", () => {
    const granted = cases
      .filter((c) => c.actor.kind === "anonymous" && c.publicAccess && c.expected)
      .map((c) => c.action ?? `${c.stage}/${c.tool}`)
      .sort();
    expect(granted).toEqual(
      [
        "development/connect",
        "development/connect_as",
        "development/logs",
        "development/mails",
        "development/shell",
        "development/status",
        "production/status",
        "staging/status",
        "view_project",
      ].sort(),
    );
  });

  it("never grants a visitor something a developer cannot do", () => {
    for (const c of cases.filter((x) => x.actor.kind === "anonymous" && x.expected)) {
      const developer = cases.find(
        (d) =>
          d.actor.kind === "collaborator" &&
          d.actor.role === "developer" &&
          !d.publicAccess &&
          d.stage === c.stage &&
          d.tool === c.tool &&
          d.action === c.action,
      );
      expect(developer?.expected).toBe(true);
    }
  });

  it("lets the superuser do exactly what an admin can", () => {
    const answers = (kind: "superuser" | "admin") =>
      cases
        .filter((c) => (kind === "superuser" ? c.actor.kind === "superuser" : c.actor.kind === "collaborator" && c.actor.role === "admin"))
        .map((c) => c.expected);
    expect(answers("superuser")).toEqual(answers("admin"));
  });
});
