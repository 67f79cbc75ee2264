import type { Metadata } from "next";
import Link from "next/link";
import { buildToolForPage } from "@/server/build-tools/page-build";
import { ToolsNav } from "../tools-nav";
import { MonitorCharts } from "./monitor-charts";

type Props = { params: Promise<{ slug: string; number: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug, number } = await params;
  return { title: `${slug} · build #${number} · monitor` };
}

/** Monitor tab: CPU, memory, storage, HTTP requests and response time of the build over time. */
export default async function MonitorPage({ params }: Props) {
  const { slug, number } = await params;
  const { access, build } = await buildToolForPage({ slug, number, tool: "monitor" });
  return (
    <div className="space-y-4">
      <p className="text-sm">
        <Link href={`/projects/${slug}?tab=builds`} className="text-slate-500 hover:text-slate-800">
          ← {access.project.name} builds
        </Link>
      </p>
      <h1 className="text-2xl font-semibold tracking-tight">Build #{build.number} · Monitor</h1>
      <ToolsNav
        slug={slug}
        number={build.number}
        current="monitor"
        allowed={(tool) => access.can({ stage: build.stage, tool })}
        running={build.state === "running"}
      />
      <MonitorCharts slug={slug} number={build.number} />
    </div>
  );
}
