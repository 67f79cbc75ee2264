import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { explainSshFailure, GITHUB_KNOWN_HOSTS, repoPathOnHost } from "./ssh-access";

describe("GitHub over SSH", () => {
  it("pins GitHub's published host keys (their SHA256 fingerprints as docs.github.com lists them)", () => {
    const fingerprints = GITHUB_KNOWN_HOSTS.split("\n").map((line) => {
      const [host, type, blob] = line.split(" ");
      return `${host} ${type} SHA256:${createHash("sha256").update(Buffer.from(blob!, "base64")).digest("base64").replace(/=+$/, "")}`;
    });
    expect(fingerprints).toEqual([
      "github.com ssh-ed25519 SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU",
      "github.com ecdsa-sha2-nistp256 SHA256:p2QAMXNIC1TJYWeIOttrVc98/R1BUFWu3/LiyKgUfQM",
      "github.com ssh-rsa SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s",
    ]);
  });

  it("reads owner/name from the URL forms a submodule may use, and nothing from other hosts", () => {
    for (const url of [
      "git@github.com:Acme/lib.git",
      "git@github.com:Acme/lib",
      "ssh://git@github.com/Acme/lib.git",
      "https://github.com/Acme/lib",
      "https://github.com/Acme/lib.git",
    ])
      expect(repoPathOnHost(url, "github.com")).toBe("Acme/lib");
    expect(repoPathOnHost("git@gitlab.com:Acme/lib.git", "github.com")).toBeNull();
    expect(repoPathOnHost("git@github.com.evil.io:Acme/lib.git", "github.com")).toBeNull();
    expect(repoPathOnHost("../lib.git", "github.com")).toBeNull();
  });

  it("explains ssh's failures in plain words", () => {
    expect(explainSshFailure("Host key verification failed.\nfatal: Could not read from remote repository.", "github.com")).toMatch(
      /host key of github\.com does not match the pinned key/,
    );
    expect(explainSshFailure("git@github.com: Permission denied (publickey).", "github.com")).toBe("access denied");
    expect(explainSshFailure("ERROR: Repository not found.", "github.com")).toBe("access denied");
    expect(explainSshFailure("fatal: unable to access: timeout", "github.com")).toBeNull();
  });
});
