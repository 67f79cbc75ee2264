import type { BuildResourceNames } from "../naming/build-names";
import type { PushBehavior } from "../stages/plan-stage-move";
import type { InstallMode, Stage } from "./steps";

/**
 * Everything a build pipeline needs to know about the build it runs, read once when it starts: the
 * build, its branch's settings, its project's repository and Odoo image, and the names of the
 * resources it creates (database, container, hostname, data volume).
 */
export interface BuildContext {
  build: {
    id: string;
    projectId: string;
    branchId: string;
    number: number;
    stage: Stage;
    revision: string;
    commitMessage: string | null;
    commitAuthor: string | null;
  };
  branch: {
    id: string;
    name: string;
    pushBehavior: PushBehavior;
    installMode: InstallMode;
    installModules: string[];
    testsEnabled: boolean;
    testTags: string | null;
    /** Development builds only: another Odoo series than the project's (null = the project's). */
    odooVersion: string | null;
    /** Development builds only: a pinned image revision (null = Latest). */
    odooRevision: string | null;
    /** The branch's recorded head when the build started (a build of it clones the branch's tip); unknown: fetched by sha. */
    headRevision?: string | null;
  };
  project: {
    id: string;
    slug: string;
    repoUrl: string;
    odooVersion: string;
    /** The Odoo image builds start from (their requirements image is built on it). */
    odooImage: string;
    baseDomain: string;
    moduleUpdateRule: "manifest_version" | "checksum";
    checksumExcludes: string[];
  };
  names: BuildResourceNames;
}
