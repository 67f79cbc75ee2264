import type { Tool } from "@slipway/domain";
import { notFound } from "next/navigation";
import { authorizeBuildTool, type AuthorizedBuild } from "../access";
import { orPageRefusal } from "../access/page-access";
import { getCurrentUser } from "../auth/current-user";
import { deps } from "../deps";

/**
 * For the build tool pages (History, Logs, Shell, Monitor): the build by its number, checked
 * against the role matrix for `tool` on the build's stage. Refused → login redirect or 404.
 */
export async function buildToolForPage(options: {
  slug: string;
  number: string;
  tool: Tool;
}): Promise<AuthorizedBuild & { userId: string | null }> {
  if (!/^\d{1,9}$/.test(options.number)) notFound();
  const user = await getCurrentUser();
  const authorized = await orPageRefusal(() =>
    authorizeBuildTool({ prisma: deps().prisma, user, slug: options.slug, build: { number: options.number }, tool: options.tool }),
  );
  return { ...authorized, userId: user?.id ?? null };
}
