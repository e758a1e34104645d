/**
 * Making folders, `mkdir -p`, without Node's recursive mkdir: on a read-only
 * file system it reports ENOENT instead of EROFS, and under /proc (where a
 * mkdir fails with ENOENT though the parent exists) it never returns (Node
 * 20). Each missing folder is made alone, so every failure is the real one.
 */
import { mkdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";

/**
 * Makes `dir` and every missing folder above it.
 *
 * @throws {NodeJS.ErrnoException} the first mkdir's error (EROFS, EACCES,
 *   ENOENT, …), or ENOTDIR when a part of the path is a file
 */
export async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let p = resolve(dir); ; p = dirname(p)) {
    const st = await stat(p).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return undefined;
      throw e;
    });
    if (st?.isDirectory()) break;
    if (st)
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${p}'`), {
        code: "ENOTDIR",
        path: p,
      });
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing) {
    await mkdir(p).catch(async (e: NodeJS.ErrnoException) => {
      // Made meanwhile by someone else: fine.
      if (e.code !== "EEXIST" || !(await stat(p)).isDirectory()) throw e;
    });
  }
}
