import { describe, expect, it } from "vitest";
import { fnmatch } from "./fnmatch";
import { moduleChecksum, parseExcludePatterns, type ModuleFile } from "./module-checksum";
import { sha1Hex } from "./sha1";

const text = (s: string) => new TextEncoder().encode(s);

// A module tree; the expected digests were computed by module_auto_update's own addon_hash()
// (Python, os.walk over real files with these exact contents).
const files: ModuleFile[] = [
  ["static/src/x.js", "js"],
  ["models/a.pyc", "bin"],
  ["z.txt", "z"],
  ["i18n/fr_BE.po", "fr_BE"],
  ["__manifest__.py", '{"name": "M"}\n'],
  ["b/empty.txt", ""],
  ["i18n/m.pot", "pot"],
  ["models/a.py", "x = 1\n"],
  ["i18n/de.po", "de"],
  ["b.txt", "b file"],
  ["i18n_extra/nl.po", "nl"],
  ["i18n/fr.po", "fr"],
  ["__init__.py", "from . import models\n"],
].map(([relativePath, content]) => ({ relativePath: relativePath!, content: text(content!) }));

describe("moduleChecksum (module_auto_update rule)", () => {
  it("matches addon_hash() with the default exclude patterns", () => {
    expect(moduleChecksum({ files })).toBe("b8363bccca45220ec194554ed031e4a9d810e014");
  });

  it("matches addon_hash() when only some languages are installed", () => {
    expect(moduleChecksum({ files, keepLanguages: ["fr_BE", "en_US"] })).toBe("c00072ec73b6d790c35988fc512295fe962e0220");
  });

  it("matches addon_hash() without exclude patterns (os.walk order: files before sub-folders)", () => {
    expect(moduleChecksum({ files, excludePatterns: [] })).toBe("05e300525c747e155d0a6ea64f63240362a88d0c");
  });

  it("changes when content changes, or an empty file is added, but not for excluded files", () => {
    const base = moduleChecksum({ files });
    const edited = files.map((f) => (f.relativePath === "models/a.py" ? { ...f, content: text("x = 2\n") } : f));
    expect(moduleChecksum({ files: edited })).not.toBe(base);
    expect(moduleChecksum({ files: [...files, { relativePath: "new.txt", content: new Uint8Array() }] })).not.toBe(base);
    expect(moduleChecksum({ files: [...files, { relativePath: "static/img/logo.png", content: text("png") }] })).toBe(base);
    expect(moduleChecksum({ files: [...files].reverse() })).toBe(base);
  });

  it("parses the exclude_patterns parameter", () => {
    expect(parseExcludePatterns("*.pyc, *.pyo ,static/*,")).toEqual(["*.pyc", "*.pyo", "static/*"]);
  });
});

describe("fnmatch (Python semantics)", () => {
  it("lets * and ? cross slashes and supports classes", () => {
    expect(fnmatch("static/src/js/x.js", "static/*")).toBe(true);
    expect(fnmatch("models/deep/a.pyc", "*.pyc")).toBe(true);
    expect(fnmatch("i18n/fr.pot", "i18n/*.pot")).toBe(true);
    expect(fnmatch("sub/i18n/fr.pot", "i18n/*.pot")).toBe(false);
    expect(fnmatch("a.py", "a.p?")).toBe(true);
    expect(fnmatch("a.pyc", "*.py[co]")).toBe(true);
    expect(fnmatch("a.pyx", "*.py[!co]")).toBe(true);
    expect(fnmatch("a.pyc", "*.py[!co]")).toBe(false);
    expect(fnmatch("a[b", "a[b")).toBe(true);
    expect(fnmatch("a]", "a[]]")).toBe(true);
    expect(fnmatch("a-b(c).txt", "a-b(c).*")).toBe(true);
    expect(fnmatch("A.PYC", "*.pyc")).toBe(false);
  });
});

describe("sha1", () => {
  it("matches known digests, including multi-block input fed in pieces", () => {
    expect(sha1Hex("")).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709");
    expect(sha1Hex("abc")).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe("84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    expect(sha1Hex("a".repeat(1_000_000))).toBe("34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  });
});
