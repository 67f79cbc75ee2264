// Puts a fully prepared database (restored or imported under a scratch name, its filestore in a
// `.incoming-…` folder of the branch's volume) in place of the branch's database. The heavy work
// is done before; here only renames happen while the server is stopped, so the downtime is seconds
// and a failure at any point puts the previous database and filestore back.
import { randomBytes } from "node:crypto";
import { inspectContainer, startContainer, stopContainer } from "@slipway/docker";
import { moveFilestores } from "./filestore-volume";
import { dropDatabase, renameDatabase, type ToolsContext } from "../../postgres";

export interface SwapTarget {
  database: string;
  volume: string;
  /** Server container stopped during the swap and started again after it. */
  containerName: string | null;
}

export interface SwapResult {
  /** The server was running before and was started again. */
  restarted: boolean;
}

async function startAndCheck(ctx: ToolsContext, name: string): Promise<void> {
  await startContainer({ docker: ctx.docker, id: name });
  // A server that exits at once (bad database) counts as a failed swap.
  await new Promise((r) => setTimeout(r, 1_000));
  const info = await inspectContainer({ docker: ctx.docker, id: name });
  if (!info?.running) throw new Error(`the server ${name} did not stay up after the swap (exit ${info?.exitCode ?? "?"})`);
}

export async function swapDatabase(options: { ctx: ToolsContext; target: SwapTarget; scratchDatabase: string; incomingDir: string; onStep?: (step: string) => void }): Promise<SwapResult> {
  const { ctx, target } = options;
  const tag = randomBytes(6).toString("hex");
  const oldDb = `slipway_old_${tag}`;
  const oldDir = `.old-${tag}`;
  const step = options.onStep ?? (() => undefined);
  const server = target.containerName ? await inspectContainer({ docker: ctx.docker, id: target.containerName }) : null;
  const wasRunning = Boolean(server?.running);

  step("stop server");
  if (wasRunning) await stopContainer({ docker: ctx.docker, id: target.containerName!, timeoutSeconds: 20 });
  let renamedOld = false;
  let renamedNew = false;
  let movedFiles = false;
  try {
    step("swap databases");
    await renameDatabase({ pg: ctx.pg, from: target.database, to: oldDb });
    renamedOld = true;
    await renameDatabase({ pg: ctx.pg, from: options.scratchDatabase, to: target.database });
    renamedNew = true;
    step("swap filestores");
    await moveFilestores({ ctx, volume: target.volume, moves: [[target.database, oldDir], [options.incomingDir, target.database]] });
    movedFiles = true;
    if (wasRunning) {
      step("start server");
      await startAndCheck(ctx, target.containerName!);
    }
  } catch (error) {
    step(`rollback: ${(error as Error).message}`);
    if (wasRunning) await stopContainer({ docker: ctx.docker, id: target.containerName!, timeoutSeconds: 10 }).catch(() => undefined);
    if (movedFiles) await moveFilestores({ ctx, volume: target.volume, moves: [[target.database, options.incomingDir], [oldDir, target.database]] });
    if (renamedNew) await renameDatabase({ pg: ctx.pg, from: target.database, to: options.scratchDatabase });
    if (renamedOld) await renameDatabase({ pg: ctx.pg, from: oldDb, to: target.database });
    if (wasRunning) await startContainer({ docker: ctx.docker, id: target.containerName! }).catch(() => undefined);
    throw error;
  }
  step("drop the previous database");
  await dropDatabase({ pg: ctx.pg, name: oldDb });
  await moveFilestores({ ctx, volume: target.volume, moves: [], remove: [oldDir] });
  return { restarted: wasRunning };
}
