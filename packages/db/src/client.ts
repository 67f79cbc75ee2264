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

/** A new client on its own connection pool (tests, scripts). Call `$disconnect()` when done. */
export function createPrismaClient(databaseUrl: string): PrismaClient {
  // Prisma 7 has no query engine binary: the generated client runs queries through the pg adapter.
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
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
    client = createPrismaClient(databaseUrl);
    clients.set(databaseUrl, client);
  }
  return client;
}
