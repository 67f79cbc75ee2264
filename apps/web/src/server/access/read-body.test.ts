import { describe, expect, it } from "vitest";
import { readBodyText } from "./read-body";

const MiB = 1024 * 1024;

/** A chunked upload of `total` bytes produced on demand; `pulled()` says how much was actually read. */
function endlessBody(total: number, chunk = 64 * 1024) {
  let produced = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (produced >= total) return controller.close();
        const n = Math.min(chunk, total - produced);
        produced += n;
        controller.enqueue(new Uint8Array(n).fill(0x61));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => produced };
}

const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://127.0.0.1/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);

describe("readBodyText (issue 12, M1)", () => {
  it("stops reading a 40 MiB chunked body soon after the cap instead of buffering it whole", async () => {
    const { stream, pulled } = endlessBody(40 * MiB);
    const result = await readBodyText(post(stream), 5 * MiB);
    expect(result.ok).toBe(false);
    expect(pulled()).toBeLessThanOrEqual(5 * MiB + 2 * 64 * 1024);
  });

  it("refuses a declared Content-Length above the cap without reading", async () => {
    const { stream, pulled } = endlessBody(1 * MiB);
    const result = await readBodyText(post(stream, { "content-length": String(1 * MiB) }), 4096);
    expect(result).toEqual({ ok: false, bytesRead: 0 });
    expect(pulled()).toBeLessThanOrEqual(64 * 1024);
  });

  it("counts bytes, not characters, and returns bodies up to the cap exactly", async () => {
    expect(await readBodyText(post("é".repeat(2048)), 4096)).toEqual({ ok: true, text: "é".repeat(2048) });
    expect((await readBodyText(post("é".repeat(2049)), 4096)).ok).toBe(false);
    expect(await readBodyText(post(null), 10)).toEqual({ ok: true, text: "" });
    expect(await readBodyText(post('{"a":1}'), 10)).toEqual({ ok: true, text: '{"a":1}' });
  });
});
