import { buildAddress } from "@slipway/config";
import { findBuildByNumber, findLatestCommitStatus } from "@slipway/db";
import { branchChangeTarget, isInProgress, stepActivity } from "@slipway/domain";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { readBuildLogs } from "@/server/builds/read-build-logs";
import { deps } from "@/server/deps";
import { projectForPage } from "@/server/access/page-access";
import { elapsed, formatTime } from "@/app/(app)/projects/_components/format";
import { StatusBadge } from "@/app/(app)/projects/_components/status-badge";
import { CancelButton, RebuildRevisionButton } from "../../build-action-buttons";
import { LiveRefresh } from "../../live-refresh";
import { BuildLogsPanel } from "./build-logs-panel";
import { ConnectPanel } from "./connect-panel";
import { OffendingLines } from "./offending-lines";
import { StepTimeline } from "./step-timeline";
import { ToolsNav } from "./tools-nav";

type Props = { params: Promise<{ slug: string; number: string }> };

const TAIL_LINES = 2000;

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug, number } = await params;
  return { title: `${slug} · build #${number}` };
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h2 className="mb-3 text-sm font-semibold uppercase tracking-wide text-slate-600">{title}</h2>
      {children}
    </section>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="mt-0.5 break-words text-sm text-slate-900">{children}</dd>
    </div>
  );
}

export default async function BuildPage({ params }: Props) {
  const { slug, number: numberParam } = await params;
  const access = await projectForPage(slug);
  if (!/^\d{1,9}$/.test(numberParam)) notFound();
  const { prisma, config } = deps();
  const build = await findBuildByNumber(prisma, { projectId: access.project.id, number: Number(numberParam) });
  if (!build) notFound();

  const state = build.state;
  const stage = build.stage;
  const showLogs = access.can({ stage, tool: "logs" });
  const logs = showLogs ? await readBuildLogs({ home: config.home, buildId: build.id, tailLines: TAIL_LINES }) : [];
  const url = build.hostname ? buildAddress(config, build.hostname) : null;
  const live = state === "running" && url;
  const runningStep = build.steps.find((s) => s.state === "running");
  const commitStatus = await findLatestCommitStatus(prisma, build.id);

  return (
    <div className="space-y-6">
      <LiveRefresh slug={slug} />
      <div>
        <p className="text-sm">
          <Link href={`/projects/${slug}?tab=builds`} className="text-slate-500 hover:text-slate-800">
            ← {access.project.name} builds
          </Link>
        </p>
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">Build #{build.number}</h1>
          <StatusBadge build={{ state, result: build.result }} activity={runningStep ? stepActivity(runningStep.name) : null} />
          {isInProgress(state) && access.can(branchChangeTarget([stage])) && !build.cancelRequestedAt ? (
            <CancelButton slug={slug} buildId={build.id} number={build.number} />
          ) : null}
          {!isInProgress(state) && !build.branch.archivedAt && access.can(branchChangeTarget([build.branch.stage])) ? (
            <RebuildRevisionButton slug={slug} branchId={build.branchId} revision={build.revision} />
          ) : null}
        </div>
        {build.failureReason ? (
          <p className="mt-2 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="failure-reason">
            {build.failureReason}
          </p>
        ) : null}
      </div>

      <ToolsNav
        slug={slug}
        number={build.number}
        current="overview"
        allowed={(tool) => access.can({ stage, tool })}
        running={state === "running"}
      />

      <Section title="Build">
        <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          <Fact label="Branch">
            <span className="font-mono">{build.branch.name}</span> <span className="text-slate-500">({stage})</span>
          </Fact>
          <Fact label="Revision">
            <span className="font-mono text-xs">{build.revision}</span>
          </Fact>
          <Fact label="Commit">
            {build.commitMessage?.split("\n")[0] || "—"}
            {build.commitAuthor ? <span className="text-slate-500"> — {build.commitAuthor}</span> : null}
          </Fact>
          <Fact label="URL">
            {live ? (
              <a href={url} className="font-mono text-xs text-brand-700 hover:underline" data-testid="build-url">
                {url}
              </a>
            ) : (
              <span className="font-mono text-xs text-slate-500">{url ?? "—"}</span>
            )}
          </Fact>
          <Fact label="Queued">{formatTime(build.createdAt)}</Fact>
          <Fact label="Duration">{elapsed(build.startedAt, isInProgress(state) ? null : build.finishedAt) ?? "—"}</Fact>
          {commitStatus ? (
            <Fact label="GitHub status">
              <span
                data-testid="commit-status"
                title={commitStatus.message}
                className={commitStatus.ok ? "text-slate-900" : "text-amber-800"}
              >
                {commitStatus.ok ? (
                  <>
                    <span className="font-mono text-xs">{commitStatus.context}</span>: {commitStatus.state} posted
                  </>
                ) : (
                  commitStatus.message
                )}
              </span>
            </Fact>
          ) : null}
        </dl>
        {live && access.can({ stage, tool: "connect" }) ? (
          <div className="mt-4 border-t border-slate-100 pt-4">
            <ConnectPanel slug={slug} buildId={build.id} signedLogin={access.can({ stage, tool: "connect_as" })} />
          </div>
        ) : null}
      </Section>

      <Section title="Steps">
        <StepTimeline steps={build.steps} />
      </Section>

      {showLogs && (build.result === "yellow" || build.result === "red") ? (
        <Section title="Offending lines">
          <OffendingLines lines={build.offendingLines} />
        </Section>
      ) : null}

      {showLogs ? (
        <Section title="Logs">
          <BuildLogsPanel logs={logs} tailLines={TAIL_LINES} />
        </Section>
      ) : null}
    </div>
  );
}
