"use client";

import type { Stage } from "@slipway/domain";
import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";

export type Feedback = { kind: "error" | "status"; text: string } | null;

type ErrorBody = { error?: { message?: string; reason?: string; files?: string[] } };

const stageLabel: Record<Stage, string> = { production: "Production", staging: "Staging", development: "Development" };

/** Calls the branch-change routes (stage, merge, pin) and reports the server's answer as is. */
export function useBranchChanges(slug: string) {
  const router = useRouter();
  const [feedback, setFeedback] = useState<Feedback>(null);
  const [pending, setPending] = useState(false);

  const post = useCallback(
    async (
      branch: string,
      kind: "stage" | "merge" | "pin",
      body: unknown,
    ): Promise<{ ok: true; json: Record<string, unknown> } | { ok: false; body: ErrorBody }> => {
      const res = await fetch(`/api/projects/${encodeURIComponent(slug)}/branches/${encodeURIComponent(branch)}/${kind}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      return res.ok ? { ok: true, json } : { ok: false, body: json as ErrorBody };
    },
    [slug],
  );

  const waitForMerge = useCallback(
    async (branch: string, mergeId: string): Promise<{ ok: true; json: Record<string, unknown> } | { ok: false; body: ErrorBody }> => {
      const url = `/api/projects/${encodeURIComponent(slug)}/branches/${encodeURIComponent(branch)}/merge?id=${encodeURIComponent(mergeId)}`;
      for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
        const res = await fetch(url, { cache: "no-store" });
        const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
        if (!res.ok) return { ok: false, body: json as ErrorBody };
        if (res.status !== 202) return { ok: true, json };
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    },
    [slug],
  );

  const run = useCallback(
    async (work: () => Promise<string | null>) => {
      setPending(true);
      setFeedback(null);
      try {
        const text = await work();
        if (text) setFeedback({ kind: "status", text });
        router.refresh();
      } catch (e) {
        setFeedback({ kind: "error", text: (e as Error).message || "The request failed; try again." });
      } finally {
        setPending(false);
      }
    },
    [router],
  );

  const move = useCallback(
    (branch: string, to: Stage) =>
      run(async () => {
        if (to === "production" && !window.confirm(`Make "${branch}" the production branch?`)) return null;
        const r = await post(branch, "stage", { stage: to });
        if (!r.ok) throw new Error(r.body.error?.message ?? "The move was refused.");
        const build = r.json.build as { number: number } | null | undefined;
        const next = build
          ? ` Build #${build.number} started for its new stage.`
          : to === "development"
            ? ""
            : " Its build for the new stage starts when the build in progress ends.";
        return `"${branch}" moved to ${stageLabel[to]}.${next}`;
      }),
    [post, run],
  );

  const merge = useCallback(
    (branch: string, into: string) =>
      run(async () => {
        if (!window.confirm(`Merge "${branch}" into "${into}" and push "${into}"?`)) return null;
        let r = await post(branch, "merge", { into });
        if (!r.ok && r.body.error?.reason === "confirmation_required") {
          if (!window.confirm(`${r.body.error.message ?? ""}\n\nMerge anyway?`)) return null;
          r = await post(branch, "merge", { into, confirm: true });
        }
        if (!r.ok) throw new Error(r.body.error?.message ?? "The merge was refused.");
        // The worker runs the merge: wait for its outcome (a conflict or a git failure is an error).
        const status = await waitForMerge(branch, String(r.json.mergeId));
        if (!status.ok) throw new Error(status.body.error?.message ?? "The merge failed.");
        const outcome = status.json.outcome as { kind: string; revision?: string } | undefined;
        if (outcome?.kind === "up_to_date") return `Nothing to merge: "${into}" already contains "${branch}".`;
        return `Merged "${branch}" into "${into}" (${outcome?.revision?.slice(0, 12) ?? "pushed"}); a build follows the push.`;
      }),
    [post, run, waitForMerge],
  );

  const pin = useCallback(
    (branch: string, pinned: boolean) =>
      run(async () => {
        const r = await post(branch, "pin", { pinned });
        if (!r.ok) throw new Error(r.body.error?.message ?? "The change was refused.");
        return pinned ? `"${branch}" pinned: the garbage collector keeps its databases.` : `"${branch}" unpinned.`;
      }),
    [post, run],
  );

  return { move, merge, pin, feedback, pending };
}
