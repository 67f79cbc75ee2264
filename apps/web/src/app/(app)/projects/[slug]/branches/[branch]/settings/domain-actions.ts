"use server";

import { enqueue } from "@slipway/queue";
import { isDomainError } from "@slipway/domain";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { loadProjectAccess } from "@/server/access";
import { requireUser } from "@/server/auth/current-user";
import { clientIp } from "@/server/auth/session-cookie";
import { deps } from "@/server/deps";
import {
  addBranchDomain,
  checkBranchDomainNow,
  makePrimaryBranchDomain,
  removeBranchDomain,
  type DomainDeps,
} from "@/server/domains/custom-domains";

export interface DomainFormState {
  /** Counts submissions (the panel shows the newest answer). */
  submission: number;
  notice?: string;
  error?: string;
}

function domainDeps(): DomainDeps {
  const d = deps();
  return {
    prisma: d.prisma,
    baseDomain: d.config.baseDomain,
    enqueueCheck: async (domainId) => {
      await enqueue(d.queues, "domain.check", { domainId });
    },
  };
}

/**
 * The Custom domains card's buttons (add, remove, main domain, Check now). The form carries the
 * project and branch names and the intent; the role check (Settings × the branch's stage), the
 * validation and the audit happen in @/server/domains/custom-domains.
 */
export async function customDomainAction(previous: DomainFormState, form: FormData): Promise<DomainFormState> {
  const submission = previous.submission + 1;
  const user = await requireUser();
  const slug = String(form.get("slug") ?? "").slice(0, 100);
  const branchName = String(form.get("branch") ?? "").slice(0, 250);
  const intent = String(form.get("intent") ?? "");
  const d = domainDeps();
  try {
    const access = await loadProjectAccess({ prisma: d.prisma, user, slug });
    const change = {
      access,
      branchName,
      actor: { id: user.id, login: user.login },
      ip: clientIp(await headers(), deps().config.trustedProxies),
    };
    let notice: string;
    switch (intent) {
      case "add": {
        const row = await addBranchDomain(d, { ...change, hostname: form.get("hostname") });
        notice = `${row.hostname} added. Its CNAME record is being checked.`;
        break;
      }
      case "remove":
        notice = `${await removeBranchDomain(d, { ...change, domainId: form.get("domainId") })} removed.`;
        break;
      case "primary":
        notice = `${await makePrimaryBranchDomain(d, { ...change, domainId: form.get("domainId") })} is the main domain; the next build uses it as its address.`;
        break;
      case "check":
        await checkBranchDomainNow(d, { access, branchName, domainId: form.get("domainId") });
        notice = "Checking the CNAME record…";
        break;
      default:
        return { submission, error: "Unknown action." };
    }
    revalidatePath(`/projects/${slug}/branches/${encodeURIComponent(branchName)}/settings`);
    return { submission, notice };
  } catch (e) {
    if (isDomainError(e)) return { submission, error: e.message };
    console.error(`Slipway web: custom domain change failed: ${(e as Error).stack ?? e}`);
    return { submission, error: "The domains could not be changed (database or Redis unreachable?). Try again shortly." };
  }
}
