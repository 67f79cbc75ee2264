import { listAuditActions, listAuditEntries } from "@slipway/db";
import type { Metadata } from "next";
import Link from "next/link";
import { projectActionForPage } from "@/server/access/page-access";
import { parseAuditFilter } from "@/server/audit/audit-filter";
import { deps } from "@/server/deps";
import { formatTime } from "../../_components/format";
import { inputClass, primaryButtonClass } from "../../_components/styles";
import { AuditDetails } from "./audit-details";

type Props = { params: Promise<{ slug: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `${(await params).slug} · audit log` };
}

export default async function AuditPage({ params, searchParams }: Props) {
  const { slug } = await params;
  // Admins only (docs/product/roles-and-access.md); others get a 404, anonymous visitors the login page.
  const { project } = await projectActionForPage(slug, "audit_log");
  const { prisma } = deps();
  const filter = parseAuditFilter(await searchParams);
  const [entries, actions] = await Promise.all([
    listAuditEntries(prisma, { projectId: project.id, action: filter.action, actorLogin: filter.actor, from: filter.from, to: filter.to }),
    listAuditActions(prisma, { projectId: project.id }),
  ]);

  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm">
          <Link href={`/projects/${slug}/settings`} className="text-slate-500 hover:text-slate-800">
            ← {project.name} settings
          </Link>
        </p>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight">Audit log</h1>
      </div>
      <form method="get" className="flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-700">Action</span>
          <select name="action" defaultValue={filter.action ?? ""} className={`${inputClass} w-52`}>
            <option value="">All actions</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-700">Actor</span>
          <input name="actor" defaultValue={filter.actor ?? ""} placeholder="login" className={`${inputClass} w-40`} />
        </label>
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-700">From</span>
          <input type="date" name="from" defaultValue={filter.fromText ?? ""} className={inputClass} />
        </label>
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-700">To</span>
          <input type="date" name="to" defaultValue={filter.toText ?? ""} className={inputClass} />
        </label>
        <button type="submit" className={primaryButtonClass}>
          Filter
        </button>
      </form>
      {filter.error ? (
        <p role="alert" className="text-sm text-red-700">
          {filter.error}
        </p>
      ) : null}
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="w-full text-sm" data-testid="audit-entries">
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-3 py-2">Time</th>
              <th className="px-3 py-2">Actor</th>
              <th className="px-3 py-2">Action</th>
              <th className="px-3 py-2">Target</th>
              <th className="px-3 py-2">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.length === 0 ? (
              <tr>
                <td colSpan={5} className="px-3 py-6 text-center text-slate-500">
                  No entries match.
                </td>
              </tr>
            ) : (
              entries.map((e) => (
                <tr key={e.id} className="border-t border-slate-100 align-top" data-action={e.action}>
                  <td className="whitespace-nowrap px-3 py-2 text-slate-600">{formatTime(e.createdAt)}</td>
                  <td className="px-3 py-2">{e.actor?.login ?? <span className="text-slate-400">visitor / platform</span>}</td>
                  <td className="px-3 py-2 font-mono text-xs">{e.action}</td>
                  <td className="px-3 py-2">{e.target ?? "—"}</td>
                  <td className="px-3 py-2">
                    <AuditDetails details={e.details} ip={e.ip} />
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
