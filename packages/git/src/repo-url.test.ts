import { describe, expect, it } from "vitest";
import { parseRepoUrl } from "./repo-url";

describe("parseRepoUrl", () => {
  it("recognises GitHub https and ssh URLs with owner and repo", () => {
    expect(parseRepoUrl("https://github.com/acme/odoo-addons.git")).toEqual({
      url: "https://github.com/acme/odoo-addons.git",
      kind: "github",
      github: { owner: "acme", repo: "odoo-addons" },
    });
    expect(parseRepoUrl("git@github.com:acme/odoo-addons.git").github).toEqual({ owner: "acme", repo: "odoo-addons" });
    expect(parseRepoUrl("https://github.com/acme/addons").github).toEqual({ owner: "acme", repo: "addons" });
  });

  it("accepts other Git servers and local paths", () => {
    expect(parseRepoUrl("https://git.example.org/team/repo.git").kind).toBe("https");
    expect(parseRepoUrl("git@git.example.org:team/repo.git").kind).toBe("ssh");
    expect(parseRepoUrl("ssh://git@git.example.org:2222/team/repo.git").kind).toBe("ssh");
    expect(parseRepoUrl("/srv/git/repo.git").kind).toBe("local");
    expect(parseRepoUrl("file:///srv/git/repo.git").kind).toBe("local");
  });

  it("refuses option-looking, relative, traversing and malformed input with a clear message", () => {
    expect(() => parseRepoUrl("--upload-pack=touch /tmp/x")).toThrow(/not a valid repository URL/);
    expect(() => parseRepoUrl("")).toThrow(/empty/);
    expect(() => parseRepoUrl("repo.git")).toThrow(/not a Git URL/);
    expect(() => parseRepoUrl("/srv/../etc/passwd")).toThrow(/\.\./);
    expect(() => parseRepoUrl("https://github.com/a b/c")).toThrow();
  });
});
