import { shellFrameColor } from "@slipway/domain";
import { sshCommandFor } from "@slipway/config";
import type { Metadata } from "next";
import Link from "next/link";
import { buildToolForPage } from "@/server/build-tools/page-build";
import { deps } from "@/server/deps";
import { TerminalView } from "./terminal-view";

type Props = { params: Promise<{ slug: string; number: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug, number } = await params;
  return { title: `Shell · ${slug} · build #${number}` };
}

/**
 * Shell tab (opened in its own browser tab): a terminal into the build's server container. The
 * page is only the frame; the session itself is authorized again by the ticket route and by the
 * terminal gateway. Production is framed red, the other stages yellow.
 */
export default async function ShellPage({ params }: Props) {
  const { slug, number } = await params;
  const { access, build, userId } = await buildToolForPage({ slug, number, tool: "shell" });
  const color = shellFrameColor(build.stage);
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-lg font-semibold tracking-tight">
          Shell · {access.project.name} · build #{build.number}
        </h1>
        <span
          className={`rounded px-2 py-0.5 text-xs font-semibold uppercase ${color === "red" ? "bg-red-600 text-white" : "bg-yellow-300 text-yellow-950"}`}
          data-testid="shell-stage"
        >
          {build.stage}
        </span>
        {color === "red" ? <span className="text-sm text-red-700">Production: commands run on live data.</span> : null}
      </div>
      {build.state === "running" && userId ? (
        <p className="text-sm text-slate-600" data-testid="ssh-command">
          From your terminal (with a key on your{" "}
          <Link href="/profile#ssh-keys" className="text-brand-700 hover:underline">
            profile
          </Link>
          ): <code className="rounded bg-slate-100 px-1.5 py-0.5 text-xs select-all">{sshCommandFor(build, deps().config.ssh)}</code>
        </p>
      ) : null}
      {build.state === "running" ? (
        <TerminalView slug={slug} number={build.number} color={color} />
      ) : (
        <p className="text-sm text-slate-600">Build #{build.number} is not running: there is no server to open a shell in.</p>
      )}
    </div>
  );
}
