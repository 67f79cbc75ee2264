"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { logOut } from "../../server/auth/log-out";
import { SESSION_COOKIE } from "../../server/auth/session-cookie";
import { deps } from "../../server/deps";

export async function logOutAction(): Promise<void> {
  const jar = await cookies();
  await logOut({ sessions: deps().sessions, token: jar.get(SESSION_COOKIE)?.value });
  jar.delete(SESSION_COOKIE);
  redirect("/login");
}
