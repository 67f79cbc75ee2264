// Real GitHub webhook payloads (the community's @octokit/webhooks-examples, api.github.com and
// GitHub Enterprise Server) through Slipway's parser: every push and ping example is understood.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { parseGithubEvent, type GitHubPushPayload } from "./index";

const require = createRequire(import.meta.url);
type Examples = Array<{ name: string; examples: unknown[] }>;
const sources: Record<string, Examples> = {
  "api.github.com": require("@octokit/webhooks-examples") as Examples,
  "ghes-3.5": require("@octokit/webhooks-examples/ghes-35/index.json") as Examples,
};

describe("real GitHub webhook payloads (@octokit/webhooks-examples)", () => {
  for (const [source, events] of Object.entries(sources)) {
    it(`${source}: every push example parses into a push or an ignored tag`, () => {
      const pushes = events.find((e) => e.name === "push")!.examples as GitHubPushPayload[];
      expect(pushes.length).toBeGreaterThan(0);
      for (const payload of pushes) {
        const parsed = parseGithubEvent({ event: "push", body: JSON.stringify(payload) });
        if (payload.ref.startsWith("refs/heads/")) {
          expect(parsed).toMatchObject({
            kind: "push",
            branch: payload.ref.slice("refs/heads/".length),
            revision: payload.deleted ? null : payload.after,
            deleted: payload.deleted,
            repositoryFullName: payload.repository.full_name,
          });
        } else expect(parsed).toEqual({ kind: "ignored", reason: `${payload.ref} is not a branch` });
      }
      if (source === "api.github.com") expect(pushes.filter((p) => p.ref.startsWith("refs/heads/")).length).toBeGreaterThan(1);
    });

    it(`${source}: every ping example is a ping`, () => {
      for (const payload of events.find((e) => e.name === "ping")!.examples)
        expect(parseGithubEvent({ event: "ping", body: JSON.stringify(payload) })).toEqual({ kind: "ping" });
    });
  }

  it("a branch push whose author has no public e-mail (GitHub sends null) is a push", () => {
    const example = (sources["api.github.com"]!.find((e) => e.name === "push")!.examples as GitHubPushPayload[]).find((p) =>
      p.ref.startsWith("refs/heads/"),
    )!;
    const payload = { ...example, head_commit: { ...example.head_commit!, author: { ...example.head_commit!.author, email: null } } };
    expect(parseGithubEvent({ event: "push", body: JSON.stringify(payload) })).toMatchObject({ kind: "push", author: "Codertocat" });
  });
});
