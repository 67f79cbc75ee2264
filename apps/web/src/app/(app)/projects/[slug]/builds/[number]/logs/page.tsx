import type { Metadata } from "next";
import Link from "next/link";
import { buildToolForPage } from "@/server/build-tools/page-build";
import { ToolsNav } from "../tools-nav";
import { BuildLogsTab } from "./build-logs-tab";

type Props = { params: Promise<{ slug: string; number: string }>; searchParams: Promise<{ file?: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug, number } = await params;
  return { title: `${slug} · build #${number} · logs` };
}

/** Logs tab: every log file of the build, followed live. */
export default async function LogsPage({ params, searchParams }: Props) {
  const { slug, number } = await params;
  const { access, build } = await buildToolForPage({ slug, number, tool: "logs" });
  const wanted = (await searchParams).file;
  return (
    <div className="space-y-4">
      <p className="text-sm">
        <Link href={`/projects/${slug}?tab=builds`} className="text-slate-500 hover:text-slate-800">
          ← {access.project.name} builds
        </Link>
      </p>
      <h1 className="text-2xl font-semibold tracking-tight">Build #{build.number} · Logs</h1>
      <ToolsNav
        slug={slug}
        number={build.number}
        current="logs"
        allowed={(tool) => access.can({ stage: build.stage, tool })}
        running={build.state === "running"}
      />
      <BuildLogsTab slug={slug} build={build} wanted={wanted} />
    </div>
  );
}
