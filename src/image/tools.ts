/**
 * The guest's tools disk: programs too heavy for the initramfs (lldpd, whose
 * libraries pull in net-snmp, perl and ICU: about 50 MiB; FRR's daemons,
 * vtysh and libfrr; perl's interpreter), on a read-only
 * ext4 image attached to every VM of wirelab's image as a virtio disk. The
 * kernel reads only the pages a program touches, so the disk costs nothing
 * at boot; an initramfs that size would be unpacked by every boot.
 *
 * Layout of the disk: `sbin/` (programs), `lib/` (their shared libraries,
 * except those the initramfs has), `etc/` (their configuration folders),
 * `frr/` (FRR's daemons and start scripts: Debian's `/usr/lib/frr`).
 */
import { chmod, copyFile, lstat, mkdir, open, readdir, readlink, symlink } from "node:fs/promises";
import { join } from "node:path";
import { WirelabError } from "../errors.js";
import type { Runner } from "../exec.js";

/** Packages whose programs go on the tools disk; their libraries come along. */
export const TOOL_ROOTS = ["lldpd", "frr", "perl-base"] as const;

/**
 * FRR's folder of daemons and scripts (Debian's `/usr/lib/frr`), copied whole
 * to the disk's `frr/`; the guest links `/usr/lib/frr` to it, where FRR's
 * start script looks (`frrcommon.sh`'s `D_PATH`).
 */
export const FRR_DIR = { pkg: "frr", from: "usr/lib/frr" } as const;

/** Library folders of the packages, scanned for shared objects (FRR keeps libfrr in its own). */
const LIB_DIRS = [
  "lib/x86_64-linux-gnu",
  "usr/lib/x86_64-linux-gnu",
  "usr/lib/x86_64-linux-gnu/frr",
];

/** Programs copied to the disk's `sbin/`: path in package → name on the disk. */
export const TOOL_PROGRAMS: readonly { readonly pkg: string; readonly from: string }[] = [
  { pkg: "lldpd", from: "usr/sbin/lldpd" },
  { pkg: "lldpd", from: "usr/sbin/lldpcli" },
  { pkg: "frr", from: "usr/bin/vtysh" },
  // The interpreter alone (no modules): a restored VM's RNG reseed and clock
  // set need two system calls no busybox applet makes (see qemu/identity.ts).
  { pkg: "perl-base", from: "usr/bin/perl" },
];

/** Serial number of the tools disk's virtio device, how the guest finds it. */
export const TOOLS_DISK_SERIAL = "wirelab-tools";

/** File name of the disk in the image folder. */
export const TOOLS_DISK_FILE = "tools.img";

/**
 * The packages the tools need: the roots and every library package they
 * depend on, recursively (`apt-cache depends --recurse`). Perl modules and
 * programs (perl, dpkg, …) are left out: only shared objects are used.
 *
 * @returns package names, sorted
 * @throws {CommandError} when apt-cache fails
 */
export async function toolPackages(run: Runner): Promise<string[]> {
  const r = await run("apt-cache", [
    "depends",
    "--recurse",
    "--no-recommends",
    "--no-suggests",
    "--no-conflicts",
    "--no-breaks",
    "--no-replaces",
    "--no-enhances",
    ...TOOL_ROOTS,
  ]);
  const names = new Set<string>(TOOL_ROOTS);
  for (const line of r.stdout.split("\n")) {
    // Top-level lines name packages; indented ones are their dependencies.
    if (/^lib[\w.+-]+$/.test(line) && !line.endsWith("-perl")) names.add(line);
  }
  return [...names].sort();
}

/**
 * Puts the tools and their libraries in `dest`, from packages unpacked in
 * `pkgDir/<package>/`, and checks that every library a program or library
 * needs (ELF `DT_NEEDED`, read with binutils' `readelf -d`) is on the disk or
 * in `baseLibDir`.
 *
 * @throws {WirelabError} naming each missing library and who needs it
 */
export async function assembleTools(
  run: Runner,
  pkgDir: string,
  packages: readonly string[],
  baseLibDir: string,
  dest: string,
): Promise<void> {
  for (const d of ["sbin", "lib", "etc/lldpd.d", "frr"])
    await mkdir(join(dest, d), { recursive: true });
  for (const p of TOOL_PROGRAMS) {
    const to = join(dest, "sbin", p.from.split("/").pop() ?? p.from);
    await copyFile(join(pkgDir, p.pkg, p.from), to);
    await chmod(to, 0o755);
  }
  for (const f of await readdir(join(pkgDir, FRR_DIR.pkg, FRR_DIR.from), { withFileTypes: true })) {
    if (!f.isFile()) continue;
    const to = join(dest, "frr", f.name);
    await copyFile(join(pkgDir, FRR_DIR.pkg, FRR_DIR.from, f.name), to);
    await chmod(to, 0o755);
  }
  const base = new Set(await readdir(baseLibDir));
  for (const pkg of packages) {
    for (const libDir of LIB_DIRS) {
      await copyLibraries(join(pkgDir, pkg, libDir), join(dest, "lib"), base);
    }
  }
  const missing = await missingLibraries(run, dest, baseLibDir);
  if (missing.length) {
    throw new WirelabError(
      `the guest tools disk is incomplete: ${missing.join("; ")}; add the packages to TOOL_ROOTS' dependencies`,
    );
  }
}

/**
 * Makes a read-only ext4 image of `dir` (`mke2fs -d`, e2fsprogs), without a
 * journal, sized to its contents plus a margin.
 *
 * @throws {CommandError} when mke2fs fails
 */
export async function makeExt4Image(run: Runner, dir: string, file: string): Promise<void> {
  const bytes = await treeSize(dir);
  const kib = Math.ceil((bytes * 1.25) / 1024) + 8192;
  await run("mke2fs", [
    "-q",
    "-F",
    "-t",
    "ext4",
    "-O",
    "^has_journal",
    "-m",
    "0",
    "-L",
    "wl-tools",
    "-E",
    "root_owner=0:0",
    "-d",
    dir,
    file,
    `${kib}k`,
  ]);
}

async function copyLibraries(from: string, to: string, skip: ReadonlySet<string>): Promise<void> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(from, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (!/\.so(\.|$)/.test(e.name) || skip.has(e.name)) continue;
    const src = join(from, e.name);
    const dst = join(to, e.name);
    if (e.isSymbolicLink()) await symlink(await readlink(src), dst).catch(ignoreExists);
    else if (e.isFile()) await copyFile(src, dst);
  }
}

function ignoreExists(e: NodeJS.ErrnoException): void {
  if (e.code !== "EEXIST") throw e;
}

/** `"libfoo.so.1 (needed by lldpd)"` for each unresolved DT_NEEDED. */
async function missingLibraries(run: Runner, dest: string, baseLibDir: string): Promise<string[]> {
  const files: string[] = [];
  for (const d of ["sbin", "lib", "frr"]) {
    for (const f of await readdir(join(dest, d), { withFileTypes: true })) {
      if (f.isFile() && (await isElf(join(dest, d, f.name)))) files.push(join(dest, d, f.name));
    }
  }
  const have = new Set([...(await readdir(baseLibDir)), ...(await readdir(join(dest, "lib")))]);
  const r = await run("readelf", ["-d", "-W", ...files]);
  const missing: string[] = [];
  let current = files.length === 1 ? (files[0] ?? "") : "";
  for (const line of r.stdout.split("\n")) {
    const file = /^File: (.+)$/.exec(line);
    if (file?.[1]) current = file[1];
    const needed = /\(NEEDED\)\s+Shared library: \[(.+)\]/.exec(line);
    if (needed?.[1] && !have.has(needed[1])) {
      missing.push(`${needed[1]} (needed by ${current.split("/").pop()})`);
    }
  }
  return missing;
}

async function isElf(file: string): Promise<boolean> {
  const fh = await open(file, "r");
  try {
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    return head.toString("latin1") === "\x7fELF";
  } finally {
    await fh.close();
  }
}

/** Bytes of the files under `dir`, each rounded up by a block. */
async function treeSize(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) total += await treeSize(path);
    else total += (await lstat(path)).size + 4096;
  }
  return total;
}
