import path from "node:path";

/** Where a build keeps its files on the worker's machine: the checkout and the step logs. */
export function buildWorkspace(home: string, buildId: string): { root: string; src: string; logs: string } {
  if (!/^[0-9a-f-]{36}$/.test(buildId)) throw new Error(`invalid build id ${buildId}`);
  const root = path.join(home, "builds", buildId);
  return { root, src: path.join(root, "src"), logs: path.join(root, "logs") };
}
