/**
 * Initramfs archives: a directory packed as a gzip'd newc cpio archive with
 * the `cpio` tool (the format the kernel unpacks:
 * Documentation/filesystems/ramfs-rootfs-initramfs.rst).
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import type { Runner } from "../exec.js";

/**
 * Packs a directory as a newc cpio archive (the format the kernel unpacks,
 * Documentation/filesystems/ramfs-rootfs-initramfs.rst), gzip'd.
 */
export async function packInitramfs(run: Runner, root: string, out: string): Promise<void> {
  const files = await listTree(root);
  const cpioFile = `${out}.cpio`;
  await run("cpio", ["--quiet", "-o", "-H", "newc", "-R", "0:0", "-D", root, "-O", cpioFile], {
    input: `${files.join("\n")}\n`,
  });
  await mkdir(dirname(out), { recursive: true });
  await pipeline(createReadStream(cpioFile), createGzip({ level: 6 }), createWriteStream(out));
  await rm(cpioFile, { force: true });
}

/** Every path under `root`, relative, parents before children (as cpio wants). */
async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(root, rel), { withFileTypes: true });
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      out.push(p);
      if (e.isDirectory()) await walk(p);
    }
  };
  await walk("");
  return out;
}
