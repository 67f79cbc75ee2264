import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma } from "./generated/prisma/client";

/**
 * The control-plane database as the apps hold it: a handle they pass to the repositories of this
 * package. Apps never query through it themselves (lint: no model access outside packages/db) and
 * never import the generated client's types; rows leave this package as domain types or read models.
 */
export type Db = PrismaClient;
/** A transaction handle, for repositories that take part in a caller's transaction. */
export type DbTx = Prisma.TransactionClient;

/**
 * How long the apps' pool keeps an idle connection. pg's default (10 s) closes them between two
 * pushes, and the next build's first queries then each open one: TCP, SCRAM and a new backend,
 * 30–50 ms apiece on a busy 2-core machine, paid again at every step that queries in parallel
 * (issue 18). Idle connections stay open for this long instead; the pool's size is unchanged.
 */
export const APP_POOL_IDLE_MS = 10 * 60_000;

/** A new client on its own connection pool (tests, scripts). Call `$disconnect()` when done. */
export function createPrismaClient(databaseUrl: string, options: { idleTimeoutMs?: number } = {}): PrismaClient {
  // Prisma 7 has no query engine binary: the generated client runs queries through the pg adapter.
  // allowExitOnIdle: idle connections never keep a process alive (a script that forgot to disconnect still exits).
  const pool = options.idleTimeoutMs === undefined ? {} : { idleTimeoutMillis: options.idleTimeoutMs, allowExitOnIdle: true };
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, ...pool }) });
}

// Kept on globalThis (not in module scope) so Next dev's module reloads reuse the same pool
// instead of opening a new one on every edit.
const globalKey = Symbol.for("slipway.db.prisma");
type PrismaCache = Map<string, PrismaClient>;

function cache(): PrismaCache {
  const holder = globalThis as { [globalKey]?: PrismaCache };
  holder[globalKey] ??= new Map();
  return holder[globalKey];
}

/** The process-wide client for `databaseUrl` (created on first use, one pool per URL). */
export function getPrisma(databaseUrl: string): PrismaClient {
  const clients = cache();
  let client = clients.get(databaseUrl);
  if (!client) {
    client = createPrismaClient(databaseUrl, { idleTimeoutMs: APP_POOL_IDLE_MS });
    clients.set(databaseUrl, client);
  }
  return client;
}
