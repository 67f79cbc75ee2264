// Browser side of the Backups routes: JSON calls that turn refusals into readable messages.

export async function postJson<T>(
  url: string,
  body: unknown,
  method = "POST",
): Promise<{ ok: true; data: T } | { ok: false; message: string }> {
  try {
    const res = await fetch(url, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const json = (await res.json().catch(() => ({}))) as T & { error?: { message?: string } };
    if (!res.ok) return { ok: false, message: json.error?.message ?? `The request failed (${res.status}).` };
    return { ok: true, data: json };
  } catch {
    return { ok: false, message: "The server cannot be reached; try again." };
  }
}

export const backupsApi = (slug: string) => `/api/projects/${encodeURIComponent(slug)}/backups`;

export const sizeText = (bytes: number | null) =>
  bytes === null
    ? "—"
    : bytes < 1024
      ? `${bytes} B`
      : bytes < 1024 ** 2
        ? `${(bytes / 1024).toFixed(1)} kB`
        : bytes < 1024 ** 3
          ? `${(bytes / 1024 ** 2).toFixed(1)} MB`
          : `${(bytes / 1024 ** 3).toFixed(2)} GB`;
