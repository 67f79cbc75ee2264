// The managed server's pg_hba.conf, written by the worker at every start (ADR 0005). First match
// wins; anything unmatched is refused.
import { ADMIN_ROLE, REPLICATION_ROLE } from "./roles";

export function renderHba(options: { platformSubnet: string }): string {
  if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(options.platformSubnet)) throw new Error(`invalid platform subnet ${options.platformSubnet}`);
  return [
    "# Written by the Slipway worker at every start (apps/worker/src/postgres/hba.ts): edits are lost.",
    "# type  database   user            address            method",
    // The superuser: only inside the server's container, as the postgres OS user.
    "local   all        postgres                           peer",
    `local   all        ${ADMIN_ROLE}                      scram-sha-256`,
    "local   samerole   all                                scram-sha-256",
    "host    all        postgres        0.0.0.0/0          reject",
    // The administration role: only from the platform network (the worker on the host), never
    // from a build, tools or egress network, whatever password is presented.
    `host    all        ${ADMIN_ROLE}   ${options.platformSubnet.padEnd(18)} scram-sha-256`,
    `host    all        ${ADMIN_ROLE}   0.0.0.0/0          reject`,
    // The staging standby streams WAL from the platform network only (ADR 0009); `all` above never
    // matches a replication connection, so nothing else may replicate.
    `host    replication ${REPLICATION_ROLE} ${options.platformSubnet.padEnd(18)} scram-sha-256`,
    // Odoo checks that its database exists on the maintenance database (it holds no data).
    "host    postgres   all             0.0.0.0/0          scram-sha-256",
    // Every other role logs in to the database of its own name only.
    "host    samerole   all             0.0.0.0/0          scram-sha-256",
    "",
  ].join("\n");
}
