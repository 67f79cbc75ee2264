import type { Stage } from "../builds";

export const collaboratorRoles = ["admin", "tester", "developer"] as const;
export type Role = (typeof collaboratorRoles)[number];

/** The tools of a build (docs/product/build-tools.md), each gated per stage by the matrix below. */
export const buildTools = [
  "connect",
  "connect_as",
  "history",
  "mails",
  "shell",
  "editor",
  "monitor",
  "logs",
  "upgrade",
  "settings",
  "status",
  "backups",
] as const;
export type Tool = (typeof buildTools)[number];

/** Project-level permissions, not tied to a stage. */
export const projectActions = ["view_project", "project_settings", "audit_log", "manage_collaborators"] as const;
export type ProjectAction = (typeof projectActions)[number];

export const accessStages = ["production", "staging", "development"] as const satisfies readonly Stage[];

/** Who a cell grants: a collaborator role, or "public" = anonymous visitors of a public project. */
export type Audience = Role | "public";

const everyone = ["developer", "tester", "admin", "public"] as const;
const collaborators = ["developer", "tester", "admin"] as const;
const testersAndAdmins = ["tester", "admin"] as const;
const admins = ["admin"] as const;
const nobody = [] as const;

/**
 * THE role matrix: stage × tool → audiences allowed. docs/product/roles-and-access.md (from the seed
 * odoo_sh/getting_started/settings.md), with public access (seed "Public access": visitors see the
 * builds page, connect to development builds and see their logs, shell and mails; production and
 * staging show status only). Cells neither docs/product/roles-and-access.md nor Odoo.sh's list, decided here:
 * - development › backups: nobody — development databases are never backed up (docs/product/production-updates-and-backups.md, seed).
 * - staging › backups: tester and admin — manual backups exist for staging (docs/product/production-updates-and-backups.md) and the
 *   staging tools beyond connect/history/status are for testers and admins.
 * - production › mails: nobody — production sends real mail; there is no catcher inbox to show.
 * - development › shell: every role (docs/product/roles-and-access.md's table lists it; the seed's omits it).
 * - connect vs connect_as: "connect" opens the build's Odoo (every collaborator on every stage, as
 *   the seed's table says); "connect_as" is the automatic login as `admin` or another user (Connect
 *   / Connect as with a signed token). The seed's Collaborators text says developers cannot reach
 *   production or staging data and testers not production's, so connect_as is for admins on
 *   production, testers and admins on staging, everyone who may connect on development (visitors
 *   of public projects included, seed "Public access"). Others land on the Odoo login page.
 * Superusers (the platform's local admin) are treated as admins by `can`.
 */
export const accessMatrix: Readonly<Record<Stage, Readonly<Record<Tool, readonly Audience[]>>>> = {
  development: {
    connect: everyone,
    connect_as: everyone,
    history: collaborators,
    mails: everyone,
    shell: everyone,
    editor: collaborators,
    monitor: collaborators,
    logs: everyone,
    upgrade: collaborators,
    settings: collaborators,
    status: everyone,
    backups: nobody,
  },
  staging: {
    connect: collaborators,
    connect_as: testersAndAdmins,
    history: collaborators,
    mails: testersAndAdmins,
    shell: testersAndAdmins,
    editor: testersAndAdmins,
    monitor: testersAndAdmins,
    logs: testersAndAdmins,
    upgrade: testersAndAdmins,
    settings: testersAndAdmins,
    status: everyone,
    backups: testersAndAdmins,
  },
  production: {
    connect: collaborators,
    connect_as: admins,
    history: collaborators,
    mails: nobody,
    shell: admins,
    editor: admins,
    monitor: admins,
    logs: admins,
    upgrade: admins,
    settings: admins,
    status: everyone,
    backups: admins,
  },
};

/** Project-level permissions: only admins manage; every collaborator (and the public) sees the builds page. */
export const projectAccess: Readonly<Record<ProjectAction, readonly Audience[]>> = {
  view_project: everyone,
  project_settings: admins,
  audit_log: admins,
  manage_collaborators: admins,
};

const toolLabels: Record<Tool, string> = {
  connect: "Connect",
  connect_as: "Connect as a user",
  history: "History",
  mails: "Mails",
  shell: "Shell",
  editor: "Editor",
  monitor: "Monitor",
  logs: "Logs",
  upgrade: "Upgrade",
  settings: "Settings",
  status: "Status",
  backups: "Backups",
};
const actionLabels: Record<ProjectAction, string> = {
  view_project: "this project",
  project_settings: "the project settings",
  audit_log: "the audit log",
  manage_collaborators: "collaborator management",
};

export function toolLabel(tool: Tool): string {
  return toolLabels[tool];
}

export function projectActionLabel(action: ProjectAction): string {
  return actionLabels[action];
}
