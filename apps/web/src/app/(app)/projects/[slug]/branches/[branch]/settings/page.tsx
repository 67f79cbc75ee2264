import type { Metadata } from "next";
import { branchForPage, branchNameOf } from "@/server/branches/branch-page";

type Props = { params: Promise<{ slug: string; branch: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug, branch } = await params;
  return { title: `${slug} · ${branchNameOf(branch)} · settings` };
}

const pushLabel = { new_build: "New build", update_previous: "Update previous build", do_nothing: "Do nothing" } as const;
const installLabel = {
  own_modules: "Install only my modules",
  full: "Full installation (no test suite)",
  list: "Install a list of modules",
} as const;

/**
 * Settings tab of the branch (same role cell as moving the branch: Settings of its stage). A
 * read-only view of the current settings until the branch settings form takes this place.
 */
export default async function BranchSettingsPage({ params }: Props) {
  const { slug, branch: segment } = await params;
  const { branch } = await branchForPage({ slug, branch: segment, tool: "settings" });
  const rows: [string, string][] = [["Behaviour upon new commits", pushLabel[branch.pushBehavior]]];
  if (branch.stage === "development") {
    rows.push(
      [
        "Module installation",
        installLabel[branch.installMode] + (branch.installMode === "list" ? `: ${branch.installModules.join(", ")}` : ""),
      ],
      ["Test suite", branch.testsEnabled ? `On${branch.testTags ? ` (tags ${branch.testTags})` : ""}` : "Off"],
    );
  }
  return (
    <dl className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white text-sm shadow-sm" data-testid="branch-settings">
      {rows.map(([label, value]) => (
        <div key={label} className="grid gap-1 px-4 py-3 sm:grid-cols-[16rem_1fr]">
          <dt className="font-medium text-slate-700">{label}</dt>
          <dd className="text-slate-600">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
