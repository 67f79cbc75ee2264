// Runs once when a Next.js server starts, before it serves requests.
export async function register(): Promise<void> {
  // NEXT_RUNTIME is set by Next itself (not configuration): the admin bootstrap needs Node
  // (crypto, pg), so it is skipped in the edge runtime. The import stays dynamic for the same reason.
  // eslint-disable-next-line no-restricted-syntax
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { bootstrapLocalAdmin } = await import("./server/auth/bootstrap-local-admin");
  await bootstrapLocalAdmin();
}
