import { can, type Actor, type Stage, type Tool } from "@slipway/domain";
import { describe, expect, it } from "vitest";
import { branchTabs } from "./branch-tabs";

const canAs = (actor: Actor) => (target: { stage: Stage; tool: Tool }) => can({ actor, publicAccess: false, ...target });
const tabsFor = (actor: Actor, stage: Stage, build: { number: number; running: boolean } | null = { number: 7, running: true }) =>
  branchTabs({ base: "/projects/shop/branches/main", stage, can: canAs(actor), build, buildsBase: "/projects/shop/builds" });
const enabled = (tabs: ReturnType<typeof branchTabs>) => tabs.filter((t) => t.href !== null).map((t) => t.key);
const shown = (tabs: ReturnType<typeof branchTabs>) => tabs.map((t) => t.key);

describe("branchTabs", () => {
  it("gives an admin every tool of production but Mails (production mail is really sent), in the seed's order", () => {
    const tabs = tabsFor({ kind: "collaborator", role: "admin" }, "production");
    expect(shown(tabs)).toEqual(["history", "shell", "editor", "monitor", "logs", "backups", "upgrade", "tools", "settings"]);
    expect(enabled(tabs)).toEqual(["history", "shell", "monitor", "logs", "backups", "settings"]);
    expect(tabs.find((t) => t.key === "shell")).toMatchObject({ href: "/projects/shop/builds/7/shell", external: true });
    expect(tabs.find((t) => t.key === "editor")?.disabledReason).toMatch(/not available yet/i);
  });

  it("shows a developer only History on production and staging, and no Backups on development", () => {
    const dev: Actor = { kind: "collaborator", role: "developer" };
    expect(enabled(tabsFor(dev, "production"))).toEqual(["history"]);
    expect(enabled(tabsFor(dev, "staging"))).toEqual(["history"]);
    expect(enabled(tabsFor(dev, "development"))).toEqual(["history", "mails", "shell", "monitor", "logs", "settings"]);
  });

  it("shows a tester the staging tools with Backups, but only History on production", () => {
    const tester: Actor = { kind: "collaborator", role: "tester" };
    expect(enabled(tabsFor(tester, "staging"))).toEqual(["history", "mails", "shell", "monitor", "logs", "backups", "settings"]);
    expect(enabled(tabsFor(tester, "production"))).toEqual(["history"]);
  });

  it("disables the Shell without a running build and says why", () => {
    const shell = tabsFor({ kind: "superuser" }, "development", { number: 3, running: false }).find((t) => t.key === "shell");
    expect(shell).toMatchObject({ href: null });
    expect(shell?.disabledReason).toMatch(/no running build/i);
  });
});
