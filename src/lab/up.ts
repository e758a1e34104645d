/**
 * `up`: build a lab from its topology, idempotently.
 *
 * Behaviour with an existing lab of the same name:
 * - same file, same plan, everything present: nothing to do;
 * - same file, same plan, but an earlier `up` was interrupted or objects are
 *   missing: the lab is torn down and built again;
 * - same file, changed plan: refused, listing the differences (run `down` first);
 * - another file: refused (two labs must have different names).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { LabError } from "../errors.js";
import { defaultRunner, type Runner } from "../exec.js";
import { readImage } from "../image/build.js";
import type { Reporter } from "../log.js";
import { diffPlans } from "../plan/diff.js";
import type { LabPlan, NodePlan } from "../plan/types.js";
import { listNamespaces } from "../providers/netns/kernel.js";
import { createNetnsLab, planNamespaces } from "../providers/netns/provider.js";
import { hostDevices } from "../providers/netns/scripts.js";
import { chooseAccel } from "../providers/qemu/accel.js";
import { netdevId, streamSocket } from "../providers/qemu/args.js";
import { allocatePorts, portsOf } from "../providers/qemu/ports.js";
import { qemuPid, startVms } from "../providers/qemu/provider.js";
import { ensureWire, needsWireDaemon, startWire, wireFiles } from "../providers/wire/provider.js";
import { wireLinks } from "../wire/config.js";
import { vmFiles } from "./access.js";
import { checkCollisions } from "./collisions.js";
import { loadAndPlan } from "./load-plan.js";
import { requireRoot, requireTools } from "./preflight.js";
import { type LabState, StateStore } from "./state.js";

/** Namespace interfaces on daemon links are joined to it by socat. */
function wireConfigNeedsSocat(plan: LabPlan): boolean {
  return wireLinks(plan).some((l) => l.endpoints.some((e) => e.hostVeth !== undefined));
}

import { teardown } from "./teardown.js";

/** Options of {@link up}. */
export interface UpOptions {
  /** Runs `ip`, `sysctl`. @default defaultRunner */
  readonly run?: Runner;
  /** @default new StateStore() */
  readonly store?: StateStore;
  readonly reporter?: Reporter;
  /** Namespaces configured at once. @default 4 */
  readonly concurrency?: number;
  /**
   * Abort (e.g. on Ctrl-C): `up` stops after the commands in flight and
   * removes what it built.
   */
  readonly signal?: AbortSignal;
}

/** What {@link up} did. */
export interface UpResult {
  readonly lab: string;
  /** False when the lab was already up as planned. */
  readonly changed: boolean;
  readonly plan: LabPlan;
  /** Wall time in ms. */
  readonly durationMs: number;
}

/**
 * Brings a lab up from a topology file.
 *
 * @param file - topology file
 * @throws {TopologyError} when the file is invalid (nothing is touched)
 * @throws {PermissionError} without root (nothing is touched)
 * @throws {LabError} on a name collision or a changed topology
 * @throws {CommandError} when the kernel refuses a step; what was built is removed again
 * @throws {LabError} when `signal` aborts it; what was built is removed again
 */
export async function up(file: string, options: UpOptions = {}): Promise<UpResult> {
  const started = performance.now();
  const run = options.run ?? defaultRunner;
  const store = options.store ?? new StateStore();
  const { plan } = await loadAndPlan(file);
  requireRoot("up");
  const vms = plan.nodes.filter((n) => n.vm).map((n) => n.name);
  const devices = hostDevices(plan);
  requireTools([
    "ip",
    "sysctl",
    ...(devices.length ? ["tc"] : []),
    ...(vms.length ? ["qemu-system-x86_64"] : []),
    ...(wireConfigNeedsSocat(plan) ? ["socat"] : []),
  ]);
  const image = vms.length ? await readImage() : undefined;
  if (vms.length && !image)
    throw new LabError(
      `lab "${plan.lab}" has VM nodes and there is no guest image yet; build it with: wirelab image build`,
    );
  const userFiles = plan.nodes.flatMap((n) => {
    const u = n.vm?.userImage;
    return u ? [u.disk, u.kernel, u.initrd].filter((f): f is string => f !== undefined) : [];
  });
  const missingFiles = userFiles.filter((f) => !existsSync(f));
  if (missingFiles.length) throw new LabError(`image files not found: ${missingFiles.join(", ")}`);
  const path = resolve(file);
  const done = (changed: boolean): UpResult => ({
    lab: plan.lab,
    changed,
    plan,
    durationMs: performance.now() - started,
  });
  const release = await store.lock(plan.lab);
  try {
    const namespaces = planNamespaces(plan);
    const existing = await store.read(plan.lab);
    if (existing) {
      if (existing.file !== path) {
        throw new LabError(
          `lab "${plan.lab}" is already up from ${existing.file}; give this topology another "name:" or run: wirelab down --lab ${plan.lab}`,
        );
      }
      const diff = diffPlans(existing.plan, plan);
      if (existing.status === "up" && diff.length > 0) {
        throw new LabError(
          `lab "${plan.lab}" is up from an older version of ${file}; it differs in:\n${diff.map((d) => `  ${d}`).join("\n")}\nrun "wirelab down ${file}" first, then "wirelab up ${file}"`,
        );
      }
      const present = await listNamespaces(run);
      const missing = existing.namespaces.filter((n) => !present.has(n));
      if (existing.status === "up" && missing.length === 0) {
        // A wire daemon or a VM's QEMU that died comes back; their ports and taps were never gone.
        const wireBack =
          needsWireDaemon(plan) && (await ensureWire(plan, wireFiles(store.labDir(plan.lab))));
        if (wireBack) options.reporter?.info?.("restarted the wire daemon (it was not running)");
        const dead = await deadVms(existing, store);
        if (dead.length === 0) return done(wireBack);
        if (!image || !existing.ports)
          throw new LabError(
            `lab "${plan.lab}" lost its guest image or ports; run "wirelab down" then "up"`,
          );
        options.reporter?.info?.(`restarting ${dead.join(", ")} (QEMU was not running)`);
        await startVms(plan, {
          run,
          image,
          accel: await chooseAccel(run, image),
          ports: existing.ports,
          files: (n) => vmFiles(store, plan.lab, n),
          only: dead,
          ...(options.reporter ? { reporter: options.reporter } : {}),
        });
        return done(true);
      }
      options.reporter?.info?.(
        existing.status === "up"
          ? `lab "${plan.lab}" is missing ${missing.join(", ")}; rebuilding it`
          : `an earlier "${existing.status === "creating" ? "up" : "down"}" of lab "${plan.lab}" did not finish; rebuilding it`,
      );
      await store.write({ ...existing, status: "destroying" });
      await teardown(existing, store, run);
    }
    await checkCollisions(run, store, plan.lab, { namespaces, hostDevices: devices });
    const others = (await store.list()).filter((s) => s.lab !== plan.lab);
    const ports =
      vms.length || needsWireDaemon(plan)
        ? await allocatePorts(plan, new Set(others.flatMap((s) => portsOf(s.ports))))
        : undefined;
    const record: Omit<LabState, "version" | "updated" | "status"> = {
      lab: plan.lab,
      file: path,
      plan,
      namespaces,
      ...(devices.length ? { hostDevices: devices } : {}),
      ...(vms.length ? { vms } : {}),
      ...(ports ? { ports } : {}),
    };
    await store.write({ ...record, status: "creating" });
    try {
      const common = {
        run,
        ...(options.reporter ? { reporter: options.reporter } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      };
      await createNetnsLab(plan, {
        ...common,
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      });
      if (ports && needsWireDaemon(plan)) {
        await startWire(plan, ports, wireFiles(store.labDir(plan.lab)), (node, iface) => {
          const n = plan.nodes.find((x) => x.name === node) as NodePlan;
          return streamSocket(vmFiles(store, plan.lab, node).dir, node, netdevId(n, iface));
        });
      }
      if (image && ports) {
        await startVms(plan, {
          ...common,
          image,
          accel: await chooseAccel(run, image),
          ports,
          files: (n) => vmFiles(store, plan.lab, n),
        });
      }
    } catch (e) {
      await teardown(record, store, run).catch(() => undefined);
      await store.remove(plan.lab);
      if (options.signal?.aborted)
        throw new LabError(`up of lab "${plan.lab}" was interrupted; removed what it had built`);
      throw e;
    }
    await store.write({ ...record, status: "up" });
    return done(true);
  } finally {
    await release();
  }
}

/** VM nodes of a lab whose QEMU is not running. */
async function deadVms(state: LabState, store: StateStore): Promise<string[]> {
  const out: string[] = [];
  for (const node of state.vms ?? []) {
    if ((await qemuPid(state.lab, node, vmFiles(store, state.lab, node).pidfile)) === undefined)
      out.push(node);
  }
  return out;
}
