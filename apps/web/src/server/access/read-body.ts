/** A request body read up to a cap: its text, or how many bytes were read before giving up. */
export type BoundedBody = { ok: true; text: string } | { ok: false; bytesRead: number };

/**
 * Reads a request body as UTF-8 text without ever holding more than `maxBytes` of it (issue 12,
 * M1): a declared Content-Length above the cap is refused before a byte is read, then the stream is
 * read chunk by chunk with a byte counter and cancelled as soon as the count passes the cap (a
 * chunked body without a length, or one that lies about it, is never read to its end). The one
 * reader of small JSON bodies of the route handlers (webhooks, build actions, backup actions).
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<BoundedBody> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
    await request.body?.cancel().catch(() => undefined);
    return { ok: false, bytesRead: 0 };
  }
  if (!request.body) return { ok: true, text: "" };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, bytesRead: total };
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return { ok: true, text: new TextDecoder().decode(Buffer.concat(chunks, total)) };
}
