/** The text of one detail's value: strings as they are, anything else as JSON. */
export function detailText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

const SHOWN = 4;

/**
 * An audit entry's details without overflowing the table: the first few fields on one line each,
 * cut with an ellipsis (the whole value in the tooltip), and the full JSON behind "All details".
 */
export function AuditDetails({ details, ip }: { details: unknown; ip: string | null }) {
  const fields = details && typeof details === "object" && !Array.isArray(details) ? Object.entries(details) : null;
  const full = details === null || details === undefined ? "" : JSON.stringify(details, null, 2);
  const lines = fields ?? (full ? [["", details] as [string, unknown]] : []);
  const cut = lines.length > SHOWN || lines.some(([, v]) => detailText(v).length > 60);
  return (
    <div className="min-w-0 max-w-md text-xs text-slate-600" data-testid="audit-details">
      {lines.slice(0, SHOWN).map(([key, value]) => (
        <p key={key} className="truncate" title={detailText(value)}>
          {key ? <span className="text-slate-400">{key}: </span> : null}
          <span className="font-mono">{detailText(value)}</span>
        </p>
      ))}
      {cut ? (
        <details className="mt-1">
          <summary className="cursor-pointer text-brand-700 hover:underline">All details</summary>
          <pre className="mt-1 max-h-64 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 font-mono text-[11px] text-slate-700">
            {full}
          </pre>
        </details>
      ) : null}
      {ip ? <p className="text-slate-400">from {ip}</p> : null}
    </div>
  );
}
