export type ProjectTabId = "branches" | "builds" | "backups" | "settings";
export interface ProjectTab {
  id: ProjectTabId;
  label: string;
  href: string;
  testId?: string;
  /** Pushed to the right end of the bar. */
  end?: boolean;
}

/** Which tab a project page belongs to: a build's pages to Builds, a branch's to Branches, the audit log to Settings. */
export function activeTab(pathname: string, base: string, tabParam: string | null): ProjectTabId {
  const rest = pathname.startsWith(base) ? pathname.slice(base.length) : "";
  if (rest.startsWith("/builds")) return "builds";
  if (rest.startsWith("/backups")) return "backups";
  if (rest.startsWith("/settings") || rest.startsWith("/audit")) return "settings";
  if (rest === "" || rest === "/") return tabParam === "builds" ? "builds" : "branches";
  return "branches";
}
