// Runs once when a Next.js server starts, before it serves requests.
export async function register(): Promise<void> {
  // NEXT_RUNTIME is set by Next itself (not configuration): the admin bootstrap needs Node
  // (crypto, pg), so it is skipped in the edge runtime. The import stays dynamic for the same reason.
  // eslint-disable-next-line no-restricted-syntax
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Before anything is written: uploads, merges and the initial password are private (umask 077).
  const { exitOnConfigError, loadWebConfig, privateStateFolders, restrictFileModes, securePrivateFolders } = await import(
    "@slipway/config"
  );
  restrictFileModes();
  // Every request carries its connection's own address for clientIp() (issue 12, M2).
  const { installPeerAddressHeader } = await import("./server/peer-address");
  installPeerAddressHeader();
  const config = exitOnConfigError(() => loadWebConfig());
  securePrivateFolders({ home: config.home, folders: privateStateFolders(config) });
  const { bootstrapLocalAdmin } = await import("./server/auth/bootstrap-local-admin");
  await bootstrapLocalAdmin();
}
