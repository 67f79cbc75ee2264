import type { Metadata } from "next";
import { branchForPage, branchNameOf } from "@/server/branches/branch-page";
import { MonitorCharts } from "../../../builds/[number]/monitor/monitor-charts";
import { NoBuild } from "../no-build";

type Props = { params: Promise<{ slug: string; branch: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug, branch } = await params;
  return { title: `${slug} · ${branchNameOf(branch)} · monitor` };
}

/** Monitor tab of the branch: its current build's charts (the metrics route checks the role again). */
export default async function BranchMonitorPage({ params }: Props) {
  const { slug, branch: segment } = await params;
  const { branch, build } = await branchForPage({ slug, branch: segment, tool: "monitor" });
  if (!build) return <NoBuild stage={branch.stage} />;
  return <MonitorCharts slug={slug} number={build.number} />;
}
