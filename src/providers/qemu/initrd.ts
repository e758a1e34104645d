/**
 * A booted VM's initramfs: the image's, then an archive of the files the
 * VM is given (its identity, or only `guest.env` for a snapshot's guest),
 * which the kernel unpacks after it, over it
 * (Documentation/filesystems/ramfs-rootfs-initramfs.rst).
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Runner } from "../../exec.js";
import type { GuestImage } from "../../image/build.js";
import { packInitramfs } from "../../image/cpio.js";
import type { VmNodePlan } from "../../plan/types.js";
import type { VmFiles } from "../layout.js";
import { nodeFiles } from "./identity.js";

/**
 * Writes an initramfs of the image's archive followed by one of `files`.
 *
 * @param files - relative path under the guest's root → text
 * @param scratch - a folder for the archive's tree (made and removed)
 * @throws {CommandError} when cpio fails
 */
export async function writeInitrd(
  run: Runner,
  image: GuestImage,
  files: Readonly<Record<string, string>>,
  scratch: string,
  out: string,
): Promise<void> {
  await rm(scratch, { recursive: true, force: true });
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(scratch, path)), { recursive: true });
    await writeFile(join(scratch, path), text);
  }
  const archive = `${scratch}.cpio.gz`;
  try {
    await packInitramfs(run, scratch, archive);
    // The kernel unpacks concatenated archives in order: the image, then these files.
    const w = createWriteStream(out);
    await pipeline(createReadStream(image.initrd), w, { end: false });
    await pipeline(createReadStream(archive), w);
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await rm(archive, { force: true });
  }
}

/**
 * Writes a VM's initramfs with its identity (`nodeFiles`: its configuration
 * and a router's /etc/frr, which the guest's init copies into place).
 *
 * @param f - `dir` for scratch files, `initrd` for the result
 * @param hosts - the guest's /etc/hosts (the lab's, `plan/hosts.ts`)
 * @returns the daemons a router must have running once it boots (none for a host)
 * @throws {CommandError} when cpio fails
 * @throws {LabError} when a router's files cannot be read
 */
export async function writeNodeInitrd(
  run: Runner,
  image: GuestImage,
  node: VmNodePlan,
  f: Pick<VmFiles, "dir" | "initrd">,
  hosts: string,
): Promise<string[]> {
  const { files, daemons } = await nodeFiles(node, hosts);
  await writeInitrd(run, image, files, join(f.dir, `${node.name}.cfg`), f.initrd);
  return [...daemons];
}
