/**
 * `wirelab image build`: wirelab's guest image from Debian packages only.
 *
 * The Debian cloud kernel and user-space packages are fetched with
 * `apt-get download` and unpacked with `dpkg-deb -x` (never installed), then
 * packed with busybox, iproute2, iperf3, their libraries, the modules the
 * guest needs and wirelab's init (`guest/`) into a gzip'd newc cpio
 * initramfs. The result is cached in {@link defaultImageDir} and rebuilt only
 * when a package version or a guest file changes.
 */
import { createHash } from "node:crypto";
import {
  chmod,
  copyFile,
  cp,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { WirelabError } from "../errors.js";
import { defaultRunner, type Runner } from "../exec.js";
import type { Reporter } from "../log.js";
import { requireRoot, requireTools } from "../preflight.js";
import { packInitramfs } from "./cpio.js";
import { moduleLoadOrder } from "./modules.js";
import { KERNEL_METAPACKAGE, MODULES, PROGRAMS, USER_PACKAGES } from "./packages.js";
import {
  assembleTools,
  makeExt4Image,
  TOOL_PROGRAMS,
  TOOLS_DISK_FILE,
  toolPackages,
} from "./tools.js";

/** Where the image is cached: `$WIRELAB_IMAGE_DIR`, else `/var/cache/wirelab/image`. */
export function defaultImageDir(): string {
  return process.env.WIRELAB_IMAGE_DIR ?? "/var/cache/wirelab/image";
}

/** Folder of the image's VM snapshots, in the image folder (`providers/qemu/snapshot.ts`). */
export const SNAPSHOTS_DIR = "snapshots";

/** Folder of the guest's init and agent scripts, next to `src/` and `dist/`. */
export const GUEST_DIR = fileURLToPath(new URL("../../guest/", import.meta.url));

/** What a built image is, as recorded in `manifest.json`. */
export interface ImageManifest {
  /** Debian package → version, the kernel's included. */
  readonly packages: Readonly<Record<string, string>>;
  /** Kernel release, e.g. `6.1.0-56-cloud-amd64`. */
  readonly kernelRelease: string;
  /** SHA-256 of the guest scripts and of the module list. */
  readonly guestHash: string;
  /** ISO 8601 build time. */
  readonly built: string;
}

/** A usable image: kernel, initramfs and what they were built from. */
export interface GuestImage {
  readonly dir: string;
  /** Path of the kernel (bzImage). */
  readonly kernel: string;
  /** Path of the base initramfs (gzip'd cpio). */
  readonly initrd: string;
  /** Path of the read-only tools disk (ext4 image; see `tools.ts`). */
  readonly tools: string;
  readonly manifest: ImageManifest;
}

/** Options of {@link buildImage}. */
export interface BuildOptions {
  /** @default defaultImageDir() */
  readonly dir?: string;
  /** @default defaultRunner */
  readonly run?: Runner;
  readonly reporter?: Reporter;
  /** Rebuild even when up to date. @default false */
  readonly force?: boolean;
}

/**
 * The files of `guest/` the image is assembled from: where each goes in the
 * guest's root, and whether it runs (mode 0755).
 */
const GUEST_INSTALL: Readonly<Record<string, { readonly to: string; readonly runs: boolean }>> = {
  init: { to: "init", runs: true },
  identity: { to: "bin/wirelab-identity", runs: true },
  "restore-wait": { to: "bin/wirelab-restore-wait", runs: true },
  agent: { to: "bin/wirelab-agent", runs: true },
  "wl-exec": { to: "bin/wl-exec", runs: true },
  profile: { to: "etc/profile", runs: false },
};

/** The files of `guest/` the image is assembled from. */
export const GUEST_FILES = Object.keys(GUEST_INSTALL);

/** What {@link imageBuildPlan} finds: what a build would take, without building. */
export interface ImageBuildPlan {
  /** Debian package → the version apt would download. */
  readonly packages: Readonly<Record<string, string>>;
  /** The guest files, each found (absolute paths). */
  readonly guestFiles: readonly string[];
  /** Whether the cached image was built from exactly these (a build would skip). */
  readonly upToDate: boolean;
  readonly dir: string;
}

/**
 * What `image build` would use (`--dry-run`): the packages apt resolves and
 * every guest file, found; nothing is downloaded or written, no root needed.
 *
 * @throws {WirelabError} when a guest file is missing (an incomplete installation)
 * @throws {CommandError} when apt-cache fails
 */
export async function imageBuildPlan(
  options: Pick<BuildOptions, "dir" | "run"> = {},
): Promise<ImageBuildPlan> {
  requireTools(["apt-cache"]);
  const dir = options.dir ?? defaultImageDir();
  const run = options.run ?? defaultRunner;
  const guestFiles = GUEST_FILES.map((f) => join(GUEST_DIR, f));
  const missing = [];
  for (const f of guestFiles)
    if (!(await stat(f).catch(() => undefined))?.isFile()) missing.push(f);
  if (missing.length)
    throw new WirelabError(
      `wirelab's guest files are missing: ${missing.join(", ")}; this installation of wirelab is incomplete (reinstall it)`,
    );
  const kernelPackage = await kernelPackageName(run);
  const wanted = [...new Set([kernelPackage, ...USER_PACKAGES, ...(await toolPackages(run))])];
  const packages = await candidateVersions(run, wanted);
  const current = await readImage(dir);
  const upToDate =
    current !== undefined &&
    current.manifest.guestHash === (await hashGuest()) &&
    wanted.every((p) => current.manifest.packages[p] === packages[p]);
  return { packages, guestFiles, upToDate, dir };
}

/**
 * Builds the guest image unless the cached one is up to date.
 *
 * @returns the image and whether it was (re)built
 * @throws {WirelabError} when a package cannot be downloaded (run `apt-get update`)
 * @throws {CommandError} when apt-get, dpkg-deb, depmod or cpio fails
 * @throws {PermissionError} without root
 */
export async function buildImage(
  options: BuildOptions = {},
): Promise<{ image: GuestImage; built: boolean }> {
  requireRoot("image build");
  requireTools(["apt-get", "apt-cache", "dpkg-deb", "depmod", "cpio"]);
  const dir = options.dir ?? defaultImageDir();
  const run = options.run ?? defaultRunner;
  const step = (s: string, done = 0, total = 1) =>
    options.reporter?.progress?.({ step: s, done, total });

  step("resolving packages");
  const kernelPackage = await kernelPackageName(run);
  const tools = await toolPackages(run);
  const wanted = [...new Set([kernelPackage, ...USER_PACKAGES, ...tools])];
  const versions = await candidateVersions(run, wanted);
  const guestHash = await hashGuest();
  const current = await readImage(dir);
  if (
    !options.force &&
    current &&
    current.manifest.guestHash === guestHash &&
    wanted.every((p) => current.manifest.packages[p] === versions[p])
  ) {
    return { image: current, built: false };
  }

  const work = join(dir, `build.${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(join(work, "debs"), { recursive: true });
  await mkdir(join(work, "pkg"), { recursive: true });
  try {
    step("downloading packages");
    await run("apt-get", ["download", ...wanted], { cwd: join(work, "debs") });
    const debs = await readdir(join(work, "debs"));
    let n = 0;
    for (const deb of debs) {
      step("unpacking packages", n++, debs.length);
      await run("dpkg-deb", ["-x", join(work, "debs", deb), join(work, "pkg", packageOf(deb))]);
    }
    const root = join(work, "root");
    step("assembling the guest");
    const release = await assembleRoot(run, work, root, kernelPackage);
    step("assembling the tools disk");
    const toolsRoot = join(work, "tools");
    await assembleTools(
      run,
      join(work, "pkg"),
      tools,
      join(root, "lib/x86_64-linux-gnu"),
      toolsRoot,
    );
    await makeExt4Image(run, toolsRoot, join(work, TOOLS_DISK_FILE));
    step("packing the initramfs");
    await packInitramfs(run, root, join(work, "initrd.gz"));
    await copyFile(
      join(work, "pkg", kernelPackage, "boot", `vmlinuz-${release}`),
      join(work, "vmlinuz"),
    );
    const manifest: ImageManifest = {
      packages: versions,
      kernelRelease: release,
      guestHash,
      built: new Date().toISOString(),
    };
    await writeFile(join(work, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    // Swap in the new image only once it is complete.
    for (const f of ["vmlinuz", "initrd.gz", TOOLS_DISK_FILE, "manifest.json"])
      await rename(join(work, f), join(dir, f));
    // Snapshots hold the old image's memory: none of them fits the new one.
    await rm(join(dir, SNAPSHOTS_DIR), { recursive: true, force: true });
    return { image: imageAt(dir, manifest), built: true };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The cached image, if one was built.
 *
 * @returns undefined when there is none
 */
export async function readImage(dir = defaultImageDir()): Promise<GuestImage | undefined> {
  try {
    const manifest = JSON.parse(
      await readFile(join(dir, "manifest.json"), "utf8"),
    ) as ImageManifest;
    return imageAt(dir, manifest);
  } catch {
    return undefined;
  }
}

function imageAt(dir: string, manifest: ImageManifest): GuestImage {
  return {
    dir,
    kernel: join(dir, "vmlinuz"),
    initrd: join(dir, "initrd.gz"),
    tools: join(dir, TOOLS_DISK_FILE),
    manifest,
  };
}

/** The versioned kernel package the metapackage depends on (e.g. linux-image-6.1.0-56-cloud-amd64). */
async function kernelPackageName(run: Runner): Promise<string> {
  const r = await run("apt-cache", ["depends", KERNEL_METAPACKAGE], { check: false });
  const m = /Depends: (linux-image-[^\s]+)/.exec(r.stdout);
  if (!m?.[1]) {
    throw new WirelabError(`cannot resolve ${KERNEL_METAPACKAGE}; run "apt-get update" first`);
  }
  return m[1];
}

/** Candidate version of each package, as apt would download it. */
async function candidateVersions(
  run: Runner,
  packages: readonly string[],
): Promise<Record<string, string>> {
  const r = await run("apt-cache", ["policy", ...packages]);
  const out: Record<string, string> = {};
  let current = "";
  for (const line of r.stdout.split("\n")) {
    const head = /^(\S+):$/.exec(line);
    if (head?.[1]) current = head[1];
    const cand = /^\s+Candidate: (\S+)/.exec(line);
    if (cand?.[1] && current) out[current] = cand[1];
  }
  const missing = packages.filter((p) => !out[p] || out[p] === "(none)");
  if (missing.length)
    throw new WirelabError(`no candidate for ${missing.join(", ")}; run "apt-get update" first`);
  return out;
}

async function hashGuest(): Promise<string> {
  const h = createHash("sha256");
  for (const f of (await readdir(GUEST_DIR)).sort()) {
    h.update(f);
    h.update(await readFile(join(GUEST_DIR, f)));
  }
  h.update(MODULES.join(","));
  h.update(PROGRAMS.map((p) => p.to).join(","));
  h.update(TOOL_PROGRAMS.map((p) => p.from).join(","));
  return h.digest("hex");
}

/** `iperf3_3.12-1+deb12u2_amd64.deb` → `iperf3` */
function packageOf(deb: string): string {
  return basename(deb).split("_")[0] ?? deb;
}

async function assembleRoot(
  run: Runner,
  work: string,
  root: string,
  kernelPackage: string,
): Promise<string> {
  for (const d of [
    "bin",
    "sbin",
    "usr/bin",
    "usr/sbin",
    "lib/x86_64-linux-gnu",
    "lib64",
    "lib/modules",
    "etc/wirelab",
    "proc",
    "sys",
    "dev",
    "tmp",
    "run",
    "root",
  ]) {
    await mkdir(join(root, d), { recursive: true });
  }
  for (const p of PROGRAMS) {
    await copyFile(join(work, "pkg", p.pkg, p.from), join(root, p.to));
    await chmod(join(root, p.to), 0o755);
  }
  // Every shared object of every package, in one library directory.
  for (const pkg of USER_PACKAGES) {
    for (const libDir of ["lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu"]) {
      await copySharedObjects(join(work, "pkg", pkg, libDir), join(root, "lib/x86_64-linux-gnu"));
    }
  }
  await symlink(
    "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
    join(root, "lib64/ld-linux-x86-64.so.2"),
  );
  // Kernel modules, in load order.
  const kernelRoot = join(work, "pkg", kernelPackage);
  const release = (await readdir(join(kernelRoot, "lib/modules")))[0];
  if (!release) throw new WirelabError(`${kernelPackage} has no modules`);
  await run("depmod", ["-b", kernelRoot, release]);
  const order = moduleLoadOrder(
    await readFile(join(kernelRoot, "lib/modules", release, "modules.dep"), "utf8"),
    MODULES,
  );
  for (const m of order)
    await copyFile(
      join(kernelRoot, "lib/modules", release, m),
      join(root, "lib/modules", basename(m)),
    );
  await writeFile(
    join(root, "etc/wirelab/modules"),
    `${order.map((m) => basename(m)).join("\n")}\n`,
  );
  for (const [file, { to, runs }] of Object.entries(GUEST_INSTALL)) {
    await cp(join(GUEST_DIR, file), join(root, to));
    if (runs) await chmod(join(root, to), 0o755);
  }
  // lldpd and FRR (tools disk) drop privileges to these users (Debian's lldpd.postinst, frr.postinst).
  await writeFile(
    join(root, "etc/passwd"),
    "root:x:0:0:root:/root:/bin/sh\n_lldpd:x:100:100::/run/lldpd:/bin/false\nfrr:x:101:101:Frr routing suite:/nonexistent:/bin/false\n",
  );
  await writeFile(
    join(root, "etc/group"),
    "root:x:0:\n_lldpd:x:100:\nfrr:x:101:\nfrrvty:x:102:frr\n",
  );
  return release;
}

async function copySharedObjects(from: string, to: string): Promise<void> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(from, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (!/\.so(\.|$)/.test(e.name)) continue;
    const src = join(from, e.name);
    const dst = join(to, e.name);
    await rm(dst, { force: true });
    if (e.isSymbolicLink()) await symlink(await readlink(src), dst);
    else if (e.isFile()) await copyFile(src, dst);
  }
}
