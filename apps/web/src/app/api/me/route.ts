import { requireApiUser } from "@/server/auth/current-user";

export const dynamic = "force-dynamic";

/** The signed-in user (401 JSON without a valid session). */
export async function GET(): Promise<Response> {
  const { user, response } = await requireApiUser();
  if (response) return response;
  return Response.json({ id: user.id, login: user.login, name: user.name, isSuperuser: user.isSuperuser });
}
