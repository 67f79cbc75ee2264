import { listLogFiles } from "@/server/build-tools/log-files";
import { deps } from "@/server/deps";
import { LogViewer } from "./log-viewer";

/**
 * A build's log files, followed live, `wanted` first (else odoo.log, else the first): the Logs tab
 * of a build page and of the branch page. The caller checks the role.
 */
export async function BuildLogsTab({ slug, build, wanted }: { slug: string; build: { id: string; number: number }; wanted?: string }) {
  const files = await listLogFiles({ home: deps().config.home, buildId: build.id });
  const names = files.map((f) => f.name);
  const initial = wanted && names.includes(wanted) ? wanted : (names.find((n) => n === "odoo.log") ?? names[0] ?? null);
  return initial ? (
    <LogViewer slug={slug} number={build.number} files={files} initial={initial} />
  ) : (
    <p className="text-sm text-slate-500">This build has no logs yet.</p>
  );
}
