import type { ReactNode } from "react";
import { projectForPage } from "@/server/access/page-access";
import { ProjectHeader, type ProjectTab } from "./_layout/project-header";

type Props = { children: ReactNode; params: Promise<{ slug: string }> };

/**
 * Every page of a project (branches, builds, a build's tools, a branch's page, backups, settings,
 * audit) keeps the project's name and its tab bar. Each page still checks access itself; here the
 * role only decides which tabs are offered (a tab the role may not use is not advertised).
 */
export default async function ProjectLayout({ children, params }: Props) {
  const { slug } = await params;
  const access = await projectForPage(slug);
  const { project } = access;
  const base = `/projects/${slug}`;
  const tabs: ProjectTab[] = [
    { id: "branches", label: "Branches", href: base },
    { id: "builds", label: "Builds", href: `${base}?tab=builds` },
  ];
  if (access.can({ stage: "production", tool: "backups" }) || access.can({ stage: "staging", tool: "backups" }))
    tabs.push({ id: "backups", label: "Backups", href: `${base}/backups`, testId: "project-backups-link" });
  if (access.can({ action: "project_settings" }))
    tabs.push({ id: "settings", label: "Settings", href: `${base}/settings`, testId: "project-settings-link", end: true });

  return (
    <div className="space-y-6">
      <ProjectHeader
        base={base}
        name={project.name}
        facts={[project.repoUrl, `Odoo ${project.odooVersion}`, project.odooImage, `*.${project.baseDomain}`]}
        tabs={tabs}
      />
      {children}
    </div>
  );
}
