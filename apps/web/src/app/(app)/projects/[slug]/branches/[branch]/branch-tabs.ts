import type { Stage, Tool } from "@slipway/domain";

// The branch page's tabs (seed "Tabs"), in the seed's order. Each one that exists is gated by the
// cell of the role matrix its build page (or the Backups page) checks, on the branch's stage.

export type BranchTabKey = "history" | "mails" | "shell" | "editor" | "monitor" | "logs" | "backups" | "upgrade" | "tools" | "settings";

export interface BranchTab {
  key: BranchTabKey;
  label: string;
  /** Where the tab leads; null when disabled (`disabledReason` says why). */
  href: string | null;
  /** Opens in its own browser tab (the shell). */
  external?: boolean;
  disabledReason?: string;
}

const NOT_YET = "Not available yet in Slipway.";

const seedTabs: { key: BranchTabKey; label: string; tool: Tool | null }[] = [
  { key: "history", label: "History", tool: "history" },
  { key: "mails", label: "Mails", tool: "mails" },
  { key: "shell", label: "Shell", tool: "shell" },
  { key: "editor", label: "Editor", tool: null },
  { key: "monitor", label: "Monitor", tool: "monitor" },
  { key: "logs", label: "Logs", tool: "logs" },
  { key: "backups", label: "Backups", tool: "backups" },
  { key: "upgrade", label: "Upgrade", tool: null },
  { key: "tools", label: "Tools", tool: null },
  { key: "settings", label: "Settings", tool: "settings" },
];

/**
 * The tabs this viewer sees on a branch: a tool the role lacks on the branch's stage is not shown
 * (its page answers 404 too); Editor, Upgrade and Tools are shown disabled (not built yet); the
 * Shell opens the current build's terminal in a new browser tab and needs that build running.
 */
export function branchTabs(options: {
  base: string;
  stage: Stage;
  can: (target: { stage: Stage; tool: Tool }) => boolean;
  /** The branch's current build (its newest on its stage). */
  build: { number: number; running: boolean } | null;
  /** The build pages' URL prefix: /projects/<slug>/builds. */
  buildsBase: string;
}): BranchTab[] {
  const { base, stage, can, build } = options;
  const tabs: BranchTab[] = [];
  for (const t of seedTabs) {
    if (t.tool === null) {
      tabs.push({ key: t.key, label: t.label, href: null, disabledReason: NOT_YET });
    } else if (can({ stage, tool: t.tool })) {
      if (t.key === "shell") {
        tabs.push(
          build?.running
            ? { key: t.key, label: t.label, href: `${options.buildsBase}/${build.number}/shell`, external: true }
            : {
                key: t.key,
                label: t.label,
                href: null,
                disabledReason: "No running build on this branch: there is no server to open a shell in.",
              },
        );
      } else {
        tabs.push({ key: t.key, label: t.label, href: `${base}/${t.key}` });
      }
    }
  }
  return tabs;
}
