import type { Metadata } from "next";
import Link from "next/link";
import { buildToolForPage } from "@/server/build-tools/page-build";
import { LiveRefresh } from "@/app/(app)/projects/[slug]/live-refresh";
import { ToolsNav } from "../tools-nav";
import { BuildMailsPanel } from "./build-mails-panel";

type Props = { params: Promise<{ slug: string; number: string }>; searchParams: Promise<{ mail?: string; view?: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug, number } = await params;
  return { title: `${slug} · build #${number} · mails` };
}

/**
 * Mails tab: the mail catcher's inbox for this build (development and staging builds send all
 * their mail there; production mail is really sent, so production has no Mails tab).
 */
export default async function MailsPage({ params, searchParams }: Props) {
  const { slug, number } = await params;
  const { mail: mailId, view } = await searchParams;
  const { access, build } = await buildToolForPage({ slug, number, tool: "mails" });
  const base = `/projects/${slug}/builds/${build.number}`;
  return (
    <div className="space-y-4">
      <LiveRefresh slug={slug} />
      <p className="text-sm">
        <Link href={`/projects/${slug}?tab=builds`} className="text-slate-500 hover:text-slate-800">
          ← {access.project.name} builds
        </Link>
      </p>
      <h1 className="text-2xl font-semibold tracking-tight">Build #{build.number} · Mails</h1>
      <ToolsNav
        slug={slug}
        number={build.number}
        current="mails"
        allowed={(tool) => access.can({ stage: build.stage, tool })}
        running={build.state === "running"}
      />
      <BuildMailsPanel buildId={build.id} base={base} listBase={base} mailId={mailId} view={view} />
    </div>
  );
}
