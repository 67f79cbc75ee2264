// The words the UI shows for the platform's ids: build steps, history events, timestamps. One
// mapping each, here, so that no page shows a raw id and every page says the same thing.
import type { StepName } from "../builds/steps";

// `activity: null`: the build's state already says it (the install step is "Testing" or "Installing
// modules" depending on the branch's test setting).
const steps: Record<StepName, { label: string; activity: string | null }> = {
  fetch: { label: "Fetch the revision", activity: "Fetching the revision" },
  discover: { label: "Discover the addons", activity: "Discovering the addons" },
  dependencies: { label: "Install the Python requirements", activity: "Installing the Python requirements" },
  create_database: { label: "Create the database", activity: "Creating the database" },
  install: { label: "Install the modules and run the tests", activity: null },
  start: { label: "Start the server", activity: "Starting the server" },
  route: { label: "Publish the URL", activity: "Publishing the URL" },
  plan: { label: "Plan the update", activity: "Planning the update" },
  backup: { label: "Back up the production database", activity: "Backing up production" },
  maintenance: { label: "Show the maintenance page", activity: "Showing the maintenance page" },
  snapshot: { label: "Take a snapshot of the database", activity: "Taking a snapshot" },
  update: { label: "Update the modules", activity: "Updating the modules" },
  copy: { label: "Copy the production database", activity: "Copying production" },
  neutralize: { label: "Neutralize the copy", activity: "Neutralizing the copy" },
};

function isStepName(name: string): name is StepName {
  return Object.hasOwn(steps, name);
}

/** A sentence naming a build step ("Take a snapshot of the database"); an unknown id is made readable. */
export function stepLabel(name: string): string {
  return isStepName(name) ? steps[name].label : humanize(name);
}

/** What the build is doing while the step runs ("Taking a snapshot"), for the build's status; null when its state says it. */
export function stepActivity(name: string): string | null {
  return isStepName(name) ? steps[name].activity : humanize(name);
}

const events: Record<string, string> = {
  push: "Push",
  "build.ready": "Build ready",
  "build.failed": "Build failed",
  "build.cancel": "Build cancelled",
  "build.cancelled": "Build cancelled",
  "build.rebuild": "Rebuild requested",
  "build.resumed": "Build resumed",
  "build.collected": "Build stopped (unused)",
  "branch.stage_move": "Stage changed",
  "stage.changed": "Stage changed",
  "branch.merge": "Merge requested",
  "branch.merged_into": "Merged",
  "branch.merge_conflict": "Merge conflict",
  "branch.merge_failed": "Merge failed",
  "branch.archived": "Branch archived",
  "backup.restored": "Backup restored",
  "database.imported": "Database imported",
};

/** A history event's kind as words ("backup.restored" → "Backup restored"). */
export function eventLabel(kind: string): string {
  return events[kind] ?? humanize(kind);
}

/** "backup.restored" → "Backup restored", "create_database" → "Create database". */
export function humanize(id: string): string {
  const words = id
    .split(/[._\-\s]+/)
    .filter(Boolean)
    .join(" ")
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : id;
}

/**
 * The one timestamp format of the platform's pages and messages: "2026-12-05 04:31:07 UTC" (UTC, so
 * that server renders, worker messages and tests agree). Accepts a Date or an ISO string.
 */
export function formatTimestamp(at: Date | string | null | undefined): string {
  if (at === null || at === undefined) return "—";
  const date = typeof at === "string" ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return typeof at === "string" ? at : "—";
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
