import type { Metadata } from "next";
import { branchForPage, branchNameOf } from "@/server/branches/branch-page";
import { BuildLogsTab } from "../../../builds/[number]/logs/build-logs-tab";
import { NoBuild } from "../no-build";

type Props = { params: Promise<{ slug: string; branch: string }>; searchParams: Promise<{ file?: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug, branch } = await params;
  return { title: `${slug} · ${branchNameOf(branch)} · logs` };
}

/** Logs tab of the branch: its current build's log files, followed live (the stream checks the role again). */
export default async function BranchLogsPage({ params, searchParams }: Props) {
  const { slug, branch: segment } = await params;
  const { branch, build } = await branchForPage({ slug, branch: segment, tool: "logs" });
  if (!build) return <NoBuild stage={branch.stage} />;
  return <BuildLogsTab slug={slug} build={build} wanted={(await searchParams).file} />;
}
