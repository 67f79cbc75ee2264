import { describe, expect, it } from "vitest";
import { validateNewProject, type NewProjectInput } from "./new-project";

const good: NewProjectInput = {
  name: "Acme Shop",
  slug: "acme-shop",
  repoUrl: "https://github.com/acme/shop.git",
  odooVersion: "17.0",
  odooImage: "odoo:{version}",
  baseDomain: "Slipway.Example.com.",
};

describe("new project form", () => {
  it("accepts a valid form, resolves the image template and normalizes the domain", () => {
    const res = validateNewProject(good);
    expect(res).toEqual({
      ok: true,
      value: {
        name: "Acme Shop",
        slug: "acme-shop",
        repo: { url: "https://github.com/acme/shop.git", kind: "github", github: { owner: "acme", repo: "shop" } },
        odooVersion: "17.0",
        odooImage: "odoo:17.0",
        baseDomain: "slipway.example.com",
      },
    });
    const local = validateNewProject({ ...good, repoUrl: "/srv/git/shop.git", odooImage: "slipway/odoo-standin:18.0" });
    expect(local.ok && local.value.repo.kind).toBe("local");
  });

  it("reports every bad field at once, each with its own message", () => {
    const res = validateNewProject({
      name: " ",
      slug: "Bad_Slug",
      repoUrl: "not a url",
      odooVersion: "15.0",
      odooImage: "-x",
      baseDomain: "bad_domain",
    });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(Object.keys(res.errors).sort()).toEqual(["baseDomain", "name", "odooImage", "odooVersion", "repoUrl", "slug"]);
    expect(res.errors.slug).toBe("The project name must be lowercase.");
    expect(res.errors.repoUrl).toContain("is not a valid repository URL");
    expect(res.errors.odooVersion).toContain("16.0, 17.0, 18.0");
  });

  it("refuses local paths that climb out with ..", () => {
    const res = validateNewProject({ ...good, repoUrl: "/srv/git/../etc" });
    expect(!res.ok && res.errors.repoUrl).toContain("'..'");
  });
});
