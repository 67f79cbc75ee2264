import { constants } from "node:fs";
import { open, readdir } from "node:fs/promises";
import { join } from "node:path";

/**
 * `chmod -R a+rX` without ever following a symbolic link: every directory gets r-x for all, every
 * regular file r for all (and x for all when someone may execute it). The platform runs with umask
 * 077, so git writes checkouts 0700/0600; checkouts (and the platform addons) are bind-mounted
 * read-only into Odoo containers whose user (uid 101) must read them. A symlink in a repository is
 * never touched (chmod would change its target, which may be anything on the host); each entry is
 * opened with O_NOFOLLOW and changed through its descriptor, so an entry swapped for a link between
 * the listing and the change is refused, not followed. Returns how many entries were changed.
 */
export async function makeTreeReadable(root: string): Promise<number> {
  let changed = 0;
  const fix = async (path: string, directory: boolean): Promise<void> => {
    const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | (directory ? constants.O_DIRECTORY : 0);
    const handle = await open(path, flags);
    try {
      const stat = await handle.stat();
      if (directory ? !stat.isDirectory() : !stat.isFile()) return;
      const mode = stat.mode & 0o7777;
      const wanted = mode | 0o444 | (directory || mode & 0o111 ? 0o111 : 0);
      if (wanted !== mode) {
        await handle.chmod(wanted);
        changed++;
      }
    } finally {
      await handle.close();
    }
  };
  const walk = async (dir: string): Promise<void> => {
    await fix(dir, true);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) await fix(path, false);
      // Symbolic links, sockets, FIFOs, devices: left alone.
    }
  };
  await walk(root);
  return changed;
}
