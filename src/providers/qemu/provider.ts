/**
 * The QEMU provider: starts and stops a lab's VM nodes. Every VM gets its
 * own initramfs (the guest image plus an archive with its configuration),
 * all VMs start at once (booting is CPU-bound: none should wait idle), and
 * `up` returns when every guest's command agent answers.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import pMap from "p-map";
import type { Runner } from "../../exec.js";
import type { GuestImage } from "../../image/build.js";
import { packInitramfs } from "../../image/cpio.js";
import { TOOLS_DISK_SERIAL } from "../../image/tools.js";
import type { Reporter } from "../../log.js";
import type { LabPlan, NodePlan } from "../../plan/types.js";
import { nodeScript } from "../netns/scripts.js";
import { pidOf, stopPid } from "../pids.js";
import type { Accel } from "./accel.js";
import { AgentClient, AgentError } from "./agent.js";
import { netdevId, qemuArgs, qemuName, streamSocket } from "./args.js";
import type { LabPorts } from "./ports.js";

/** Files of one VM (see `vmFiles` in lab/access.ts). */
export interface VmFileSet {
  readonly dir: string;
  readonly agent: string;
  readonly console: string;
  readonly consoleLog: string;
  readonly pidfile: string;
  readonly log: string;
  readonly initrd: string;
  readonly qmp: string;
}

export interface StartOptions {
  readonly run: Runner;
  readonly image: GuestImage;
  readonly accel: Accel;
  readonly ports: LabPorts;
  readonly files: (node: string) => VmFileSet;
  readonly reporter?: Reporter;
  /** How long a VM may take to boot, in ms. @default 180000 */
  readonly bootTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** VMs booting at once. @default all of them */
  readonly bootConcurrency?: number;
  /** Start only these VM nodes (a restart). @default every VM */
  readonly only?: readonly string[];
}

/**
 * The configuration a VM reads at boot, as files under `etc/wirelab/`:
 * hostname and forwarding, interface names by MAC, and the same `ip -batch`
 * script a namespace node gets.
 */
export function guestConfig(node: NodePlan): Record<string, string> {
  const mgmt = node.vm ? [`${node.vm.managementMac} eth0`] : [];
  return {
    "node.env": `WL_HOSTNAME=${node.name}\nWL_FORWARDING=${node.forwarding ? 1 : 0}\nWL_TOOLS=1\nWL_TOOLS_SERIAL=${TOOLS_DISK_SERIAL}\n`,
    interfaces: `${[...mgmt, ...node.interfaces.map((i) => `${i.mac} ${i.name}`)].join("\n")}\n`,
    "node.batch": `${nodeScript(node).join("\n")}\n`,
  };
}

/**
 * Starts every VM of the plan and waits until each answers.
 *
 * @throws {CommandError} when QEMU refuses to start
 * @throws {AgentError} when a VM does not boot in time
 */
export async function startVms(plan: LabPlan, options: StartOptions): Promise<void> {
  const vms = plan.nodes.filter((n) => n.vm && (!options.only || options.only.includes(n.name)));
  if (vms.length === 0) return;
  const { run } = options;
  options.signal?.throwIfAborted();
  // Booting is CPU-bound: every VM starts at once so that none waits idle.
  // (Booting only as many as there are CPUs at a time was no faster here:
  // each VM still took about 5 s of CPU against 3.3 s alone.)
  let booted = 0;
  options.reporter?.progress?.({ step: "booting VMs", done: 0, total: vms.length });
  await pMap(
    vms,
    async (node) => {
      const f = options.files(node.name);
      await mkdir(f.dir, { recursive: true });
      if (!node.vm?.userImage) await writeNodeInitrd(run, options.image, node, f);
      await rm(f.agent, { force: true });
      await rm(f.console, { force: true });
      await rm(f.qmp, { force: true });
      // A stream socket left by an earlier QEMU would stop this one from listening.
      for (const iface of node.interfaces) {
        await rm(streamSocket(f.dir, node.name, netdevId(node, iface.name)), { force: true });
      }
      await run(
        "qemu-system-x86_64",
        qemuArgs(plan, node, {
          ...options,
          kernel: options.image.kernel,
          initrd: f.initrd,
          tools: options.image.tools,
          files: f,
        }),
      );
      // A user's image has no agent to wait for: QEMU running is all there is to check.
      if (node.vm?.userImage) {
        if ((await qemuPid(plan.lab, node.name, f.pidfile)) === undefined) {
          throw new AgentError(`VM ${node.name}: QEMU stopped right after starting; see ${f.log}`);
        }
        options.reporter?.progress?.({ step: "booting VMs", done: ++booted, total: vms.length });
        return;
      }
      const agent = await AgentClient.waitReady(f.agent, options.bootTimeoutMs ?? 180_000).catch(
        async (e: Error) => {
          const tail = (await readFile(f.consoleLog, "utf8").catch(() => ""))
            .trim()
            .split("\n")
            .slice(-8);
          const console =
            tail.length && tail[0] ? `; its console ended with:\n  ${tail.join("\n  ")}` : "";
          throw new AgentError(`VM ${node.name}: ${e.message}${console}`);
        },
      );
      agent.close();
      options.reporter?.progress?.({ step: "booting VMs", done: ++booted, total: vms.length });
    },
    {
      concurrency: options.bootConcurrency ?? vms.length,
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
}

/**
 * Writes a VM's initramfs: the image's, then the node's configuration
 * (`guestConfig`) as a second archive the kernel unpacks after it.
 *
 * @param f - `dir` for scratch files, `initrd` for the result
 * @throws {CommandError} when cpio fails
 */
export async function writeNodeInitrd(
  run: Runner,
  image: GuestImage,
  node: NodePlan,
  f: Pick<VmFileSet, "dir" | "initrd">,
): Promise<void> {
  const cfgRoot = join(f.dir, `${node.name}.cfg`);
  await rm(cfgRoot, { recursive: true, force: true });
  await mkdir(join(cfgRoot, "etc/wirelab"), { recursive: true });
  for (const [name, text] of Object.entries(guestConfig(node)))
    await writeFile(join(cfgRoot, "etc/wirelab", name), text);
  const cfgArchive = `${cfgRoot}.cpio.gz`;
  await packInitramfs(run, cfgRoot, cfgArchive);
  // The kernel unpacks concatenated archives in order: the image, then the node's files.
  const out = createWriteStream(f.initrd);
  await pipeline(createReadStream(image.initrd), out, { end: false });
  await pipeline(createReadStream(cfgArchive), out);
  await rm(cfgRoot, { recursive: true, force: true });
  await rm(cfgArchive, { force: true });
}

/**
 * Stops VMs: SIGTERM to the QEMU whose pidfile names it (checked to be this
 * lab's QEMU by its `-name`), SIGKILL after 3 s.
 *
 * @returns the nodes whose QEMU was stopped
 */
export async function stopVms(
  lab: string,
  nodes: readonly string[],
  files: (node: string) => VmFileSet,
): Promise<string[]> {
  const stopped: string[] = [];
  await Promise.all(
    nodes.map(async (node) => {
      const pid = await qemuPid(lab, node, files(node).pidfile);
      if (pid === undefined) return;
      await stopPid(pid);
      stopped.push(node);
    }),
  );
  return stopped;
}

/**
 * PID of a lab VM's QEMU, if it runs: read from the pidfile and confirmed
 * through /proc/PID/cmdline, so a recycled PID is never signalled.
 */
export async function qemuPid(
  lab: string,
  node: string,
  pidfile: string,
): Promise<number | undefined> {
  return pidOf(pidfile, (argv) => argv.includes(qemuName(lab, node)));
}
