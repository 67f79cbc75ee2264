import { describe, expect, it } from "vitest";
import { commitUrl, historyTimeline } from "./timeline";

const at = (m: number) => new Date(Date.UTC(2026, 10, 21, 12, m));
const rev = (c: string) => c.repeat(40);

describe("historyTimeline", () => {
  it("merges builds (as commits with their status) and events, newest first, pushes shown as their build", () => {
    const entries = historyTimeline({
      builds: [
        {
          id: "b1",
          number: 1,
          revision: rev("a"),
          commitMessage: "Add shop",
          commitAuthor: "Ada",
          state: "running",
          result: "green",
          createdAt: at(1),
        },
      ],
      events: [
        { kind: "push", message: "Ada pushed aaaaaaaa", data: { revision: rev("a") }, createdAt: at(1), actor: null },
        { kind: "push", message: "Bob pushed bbbbbbbb: wip", data: { revision: rev("b") }, createdAt: at(5), actor: { login: "bob" } },
        { kind: "build.ready", message: "Build #1 is green and running", data: null, createdAt: at(3), actor: null },
        { kind: "stage.changed", message: "Moved to staging", data: null, createdAt: at(7), actor: { login: "admin" } },
      ],
    });
    expect(
      entries.map((e) => (e.kind === "commit" ? `commit ${e.revision[0]} ${e.build?.number ?? "-"}` : `event ${e.eventKind}`)),
    ).toEqual(["event stage.changed", "commit b -", "event build.ready", "commit a 1"]);
    // Events are shown in words, never as their code.
    expect(entries.flatMap((e) => (e.kind === "event" ? [e.label] : []))).toEqual(["Stage changed", "Build ready"]);
  });
});

describe("commitUrl", () => {
  it("links revisions of GitHub repositories (https and ssh)", () => {
    expect(commitUrl("https://github.com/acme/shop.git", rev("a"))).toBe(`https://github.com/acme/shop/commit/${rev("a")}`);
    expect(commitUrl("git@github.com:acme/shop.git", rev("b"))).toBe(`https://github.com/acme/shop/commit/${rev("b")}`);
    expect(commitUrl("https://github.com/acme/shop", rev("c"))).toBe(`https://github.com/acme/shop/commit/${rev("c")}`);
  });
  it("gives nothing for other hosts and local paths", () => {
    expect(commitUrl("/srv/git/shop.git", rev("a"))).toBeNull();
    expect(commitUrl("https://gitlab.com/acme/shop.git", rev("a"))).toBeNull();
    expect(commitUrl("https://github.com.evil.example/acme/shop", rev("a"))).toBeNull();
  });
});
