import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, describe, expect, it } from "vitest";
import { readTar, writeTar } from "./tar";
import { openZipEntry, readZipDirectory } from "./zip-reader";
import { writeZip } from "./zip-writer";

const tmp = mkdtempSync(join(tmpdir(), "slipway-archive-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c);
  return Buffer.concat(parts);
}

const files = [
  { path: "ab/ab12cd", data: randomBytes(70_000) },
  { path: "00/empty", data: Buffer.alloc(0) },
  { path: `${"long-dir/".repeat(14)}file-with-a-long-name.bin`, data: Buffer.from("long name body") },
];

describe("tar", () => {
  it("round-trips files (GNU long names included) through writeTar → readTar", async () => {
    const tar = writeTar(files.map((f) => ({ path: f.path, size: f.data.length, open: async () => Readable.from([f.data]) })));
    const seen: { path: string; sha: string }[] = [];
    await readTar(tar, async (entry, body) => {
      seen.push({ path: entry.path, sha: sha(await collect(body)) });
    });
    expect(seen).toEqual(files.map((f) => ({ path: f.path, sha: sha(f.data) })));
  });

  it("writes archives GNU tar extracts, and reads what GNU tar writes", async () => {
    const out = join(tmp, "ours.tar");
    await pipeline(
      writeTar(files.map((f) => ({ path: f.path, size: f.data.length, open: async () => Readable.from([f.data]) }))),
      createWriteStream(out),
    );
    const dir = join(tmp, "extracted");
    mkdirSync(dir);
    execFileSync("tar", ["-xf", out, "-C", dir]);
    for (const f of files) expect(sha(readFileSync(join(dir, f.path)))).toBe(sha(f.data));

    const gnu = execFileSync("tar", ["-cf", "-", "--format=gnu", "-C", dir, "."], { maxBuffer: 10 * 1024 * 1024 });
    const seen = new Map<string, string>();
    await readTar(Readable.from([gnu.subarray(0, 1000), gnu.subarray(1000)]), async (entry, body) => {
      // Leave directory bodies and one file body unread: the reader must skip them.
      if (entry.type === "file" && entry.path !== "ab/ab12cd") seen.set(entry.path, sha(await collect(body)));
    });
    expect(seen.get(files[2]!.path)).toBe(sha(files[2]!.data));
    expect(seen.get("00/empty")).toBe(sha(Buffer.alloc(0)));
  });

  it("refuses a truncated archive", async () => {
    const whole = await collect(writeTar([{ path: "a", size: 2000, open: async () => Readable.from([randomBytes(2000)]) }]));
    await expect(readTar(Readable.from([whole.subarray(0, 1500)]), async (_e, body) => void (await collect(body)))).rejects.toThrow(
      /truncated/,
    );
  });
});

describe("zip", () => {
  const dump = Buffer.from("--\n-- PostgreSQL database dump\n--\n" + "INSERT INTO t VALUES (1);\n".repeat(20_000));
  const entries = [
    { name: "dump.sql", method: "deflate" as const, data: dump },
    { name: "filestore/ab/ab12cd", method: "store" as const, data: files[0]!.data },
    { name: "manifest.json", method: "deflate" as const, data: Buffer.from('{"odoo_dump": "1"}') },
  ];
  const path = join(tmp, "ours.zip");

  it("writes a streamed archive that Info-ZIP and Python's zipfile (Odoo's reader) accept", async () => {
    await pipeline(
      writeZip(
        entries.map((e) => ({
          name: e.name,
          method: e.method,
          size: e.name === "dump.sql" ? undefined : e.data.length,
          open: async () => Readable.from([e.data]),
        })),
      ),
      createWriteStream(path),
    );
    expect(execFileSync("unzip", ["-t", path]).toString()).toMatch(/No errors detected/);
    const py = `import zipfile,hashlib,sys\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(" ".join(i.filename+"="+hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()))`;
    writeFileSync(join(tmp, "check.py"), py);
    const listed = execFileSync("python3", [join(tmp, "check.py"), path])
      .toString()
      .trim();
    expect(listed).toBe(entries.map((e) => `${e.name}=${sha(e.data)}`).join(" "));
    expect(statSync(path).size).toBeLessThan(dump.length / 5 + files[0]!.data.length + 2000);
  });

  it("reads it back entry by entry, checking sizes and CRCs", async () => {
    const size = statSync(path).size;
    const dir = await readZipDirectory(path, size);
    expect(dir.map((e) => [e.name, e.size, e.isSymlink])).toEqual(entries.map((e) => [e.name, e.data.length, false]));
    for (const [i, e] of dir.entries()) expect(sha(await collect(await openZipEntry(path, e, size)))).toBe(sha(entries[i]!.data));
    // A lying directory (declared smaller than the content) fails while inflating.
    const lie = { ...dir[0]!, size: 1000 };
    await expect(collect(await openZipEntry(path, lie, size))).rejects.toThrow(/more than its declared 1000 bytes/);
    await expect(collect(await openZipEntry(path, { ...dir[1]!, crc: 1 }, size))).rejects.toThrow(/CRC mismatch/);
  });

  it("reads archives made by Info-ZIP, symlinks flagged", async () => {
    const src = join(tmp, "zsrc");
    mkdirSync(join(src, "filestore"), { recursive: true });
    writeFileSync(join(src, "filestore", "x"), "x");
    execFileSync("ln", ["-s", "/etc/passwd", join(src, "filestore", "link")]);
    const other = join(tmp, "infozip.zip");
    execFileSync("zip", ["-q", "-r", "-y", other, "."], { cwd: src });
    const dir = await readZipDirectory(other, statSync(other).size);
    expect(dir.find((e) => e.name === "filestore/link")?.isSymlink).toBe(true);
    expect(dir.find((e) => e.name === "filestore/x")?.isSymlink).toBe(false);
  });
});
