/**
 * The netns provider's half of an apply: kernel objects compared by value
 * between the plan a lab runs and the plan it is to run. What is gone is
 * deleted (a namespace takes its vEth ends with it), what is new is made
 * by the repair path (a namespace node with every wire it has, vEths, taps,
 * mirred filters, bridge ports), and a kept node's addresses, routes and
 * forwarding change in place. Objects equal in both plans are not touched:
 * the same namespace, the same devices, no carrier flap.
 */
import type { Runner } from "../../exec.js";
import { namespaceOf } from "../../plan/kinds/index.js";
import type { KernelObject, VethEnd } from "../../plan/transports/types.js";
import type { LabPlan, NodePlan } from "../../plan/types.js";
import { configChange } from "../config-diff.js";
import {
  bridgePortLines,
  forwardingSysctl,
  hostDevices,
  interfaceLines,
  kernelObjects,
  mirredPairs,
  nodeScript,
  objectLines,
  softwareChecksumEnds,
} from "../iproute2.js";
import type { ApplyContext } from "../provider.js";
import {
  checksumsInSoftware,
  destroyNamespaces,
  ipBatch,
  listHostLinks,
  listNamespaces,
} from "./kernel.js";
import { repairNetns } from "./repair.js";
import { addSpliceHooks } from "./splice.js";

const key = (o: unknown) => JSON.stringify(o);

/**
 * What an object is, for comparing plans: a vEth or tap by all it is, a
 * bridge by its namespace and name (a LAN that gains or loses a port keeps
 * its bridge; the port's vEth comes or goes).
 */
const identity = (o: KernelObject) =>
  o.type === "bridge" ? `bridge ${o.namespace} ${o.name}` : key(o);

/** Objects of `a` that `b` does not have. */
function gone(a: readonly KernelObject[], b: readonly KernelObject[]): KernelObject[] {
  const keep = new Set(b.map(identity));
  return a.filter((o) => !keep.has(identity(o)));
}

/** Namespace nodes of a plan, by name. */
function namespaceNodes(plan: LabPlan): Map<string, NodePlan & { namespace: string }> {
  return new Map(
    plan.nodes.flatMap((n) => {
      const ns = namespaceOf(n);
      return ns
        ? [[n.name, { ...n, namespace: ns } as NodePlan & { namespace: string }] as const]
        : [];
    }),
  );
}

/**
 * Removes what the new plan no longer has: vEths, taps and bridges that
 * changed or went, namespaces of removed and rebuilt nodes (their routers
 * are stopped by then), mirred filters of pairs that went between devices
 * that stay.
 */
export async function retireNetns(ctx: ApplyContext): Promise<void> {
  const { run, before, plan } = ctx;
  const oldNs = namespaceNodes(before);
  const newNs = namespaceNodes(plan);
  const doomedNs = [...oldNs.values()]
    .filter(
      (n) =>
        !newNs.has(n.name) ||
        ctx.rebuilt.has(n.name) ||
        newNs.get(n.name)?.namespace !== n.namespace,
    )
    .map((n) => n.namespace);
  if (before.labNamespace && before.labNamespace !== plan.labNamespace)
    doomedNs.push(before.labNamespace);
  const liveNs = await listNamespaces(run);
  const host = await listHostLinks(run);
  const doomed = new Set(doomedNs);
  const newObjects = kernelObjects(plan);
  const newHost = new Set(hostDevices(plan));
  // Filters of pairs that went, on devices that stay (a deleted device takes its own).
  const pairs = new Set(mirredPairs(plan).map(key));
  for (const pair of mirredPairs(before)) {
    if (pairs.has(key(pair))) continue;
    for (const dev of pair)
      if (newHost.has(dev) && host.has(dev))
        await run("tc", ["qdisc", "del", "dev", dev, "ingress"], { check: false });
  }
  const lines: string[] = [];
  const inNs = new Map<string, string[]>();
  const at = (e: VethEnd) =>
    e.namespace === undefined || (liveNs.has(e.namespace) && !doomed.has(e.namespace));
  for (const o of gone(kernelObjects(before), newObjects)) {
    if (o.type === "tap") {
      if (host.has(o.name)) lines.push(`link delete ${o.name}`);
    } else if (o.type === "veth") {
      // One end deleted takes the other; an end in a namespace about to go needs nothing.
      const end = o.ends.find((e) => at(e) && (e.namespace !== undefined || host.has(e.ifname)));
      if (!end) continue;
      if (end.namespace === undefined) lines.push(`link delete ${end.ifname}`);
      else
        inNs.set(end.namespace, [...(inNs.get(end.namespace) ?? []), `link delete ${end.ifname}`]);
    } else if (liveNs.has(o.namespace) && !doomed.has(o.namespace)) {
      inNs.set(o.namespace, [...(inNs.get(o.namespace) ?? []), `link delete ${o.name}`]);
    }
  }
  await ipBatch(run, lines, undefined, true);
  for (const [ns, l] of inNs) await ipBatch(run, l, ns, true);
  await destroyNamespaces({ run }, doomedNs);
}

/**
 * Creates what the new plan adds (the lab namespace and bridges, then
 * whatever the repair path finds missing: new and rebuilt namespace nodes
 * with their wires, vEths, taps, mirred filters, bridge ports) and changes
 * kept nodes in place.
 *
 * @throws {CommandError} when the kernel refuses a step
 */
export async function applyNetns(ctx: ApplyContext): Promise<void> {
  const { run, before, plan } = ctx;
  const liveNs = await listNamespaces(run);
  if (plan.labNamespace && !liveNs.has(plan.labNamespace))
    await ipBatch(run, [`netns add ${plan.labNamespace}`]);
  const fresh = gone(kernelObjects(plan), kernelObjects(before));
  for (const b of fresh) {
    if (b.type !== "bridge") continue;
    const r = await run("ip", ["-n", b.namespace, "link", "show", b.name], { check: false });
    if (r.exitCode === 0) continue;
    await ipBatch(run, objectLines({ ...b, ports: [] }));
    await ipBatch(
      run,
      [`link set ${b.name} addrgenmode none`, `link set ${b.name} up`],
      b.namespace,
    );
  }
  // New taps first: a namespace node rebuilt below joins its host ends to them.
  const host = await listHostLinks(run);
  const taps = fresh.filter((o) => o.type === "tap" && !host.has(o.name));
  await ipBatch(run, taps.flatMap(objectLines));
  const result = await repairNetns(run, plan);
  if ("rebuild" in result)
    throw new Error(`lab "${plan.lab}" is ${result.rebuild}; it must be rebuilt (down, then up)`);
  // What is new gets its configuration again, in forms that hold when it is there already:
  // an apply killed after an object was made but before it was configured is finished here.
  const oldNodes = namespaceNodes(before);
  const nowNodes = namespaceNodes(plan);
  const newNodes = [...nowNodes.values()].filter(
    (n) => !oldNodes.has(n.name) || ctx.rebuilt.has(n.name),
  );
  for (const n of newNodes) {
    await ipBatch(run, idempotent(nodeScript(n)), n.namespace);
    if (n.forwarding) await setForwarding(run, n.namespace, true);
  }
  const byNamespace = new Map([...nowNodes.values()].map((n) => [n.namespace, n]));
  const bridges = kernelObjects(plan).filter((o) => o.type === "bridge");
  for (const o of fresh) {
    if (o.type !== "veth") continue;
    for (const e of o.ends) {
      if (!e.namespace) continue;
      const n = byNamespace.get(e.namespace);
      if (n && !newNodes.includes(n)) {
        const i = n.interfaces.find((x) => x.ifname === e.ifname);
        if (i) await ipBatch(run, idempotent(interfaceLines(n, i)), e.namespace);
      }
      const b = bridges.find((x) => x.namespace === e.namespace && x.ports.includes(e.ifname));
      if (b) await ipBatch(run, bridgePortLines(b.name, [e.ifname]), e.namespace);
    }
  }
  // Kept nodes: their addresses, routes and forwarding, in place.
  const freshEnds = new Set(
    fresh.flatMap((o) =>
      o.type === "veth"
        ? o.ends.filter((e) => e.namespace).map((e) => `${e.namespace} ${e.ifname}`)
        : [],
    ),
  );
  for (const n of nowNodes.values()) {
    const old = oldNodes.get(n.name);
    if (!old || ctx.rebuilt.has(n.name) || old.namespace !== n.namespace) continue;
    const freshHere = new Set(
      n.interfaces.filter((i) => freshEnds.has(`${n.namespace} ${i.ifname}`)).map((i) => i.ifname),
    );
    const change = configChange(old, n, freshHere);
    await ipBatch(run, change.remove, n.namespace, true);
    await ipBatch(run, change.add, n.namespace);
    if (old.forwarding !== n.forwarding) await setForwarding(run, n.namespace, n.forwarding);
  }
  await checksumsInSoftware(run, softwareChecksumEnds(plan));
  await addSpliceHooks(run, plan);
}

/** Batch lines that hold when what they make is there already (`replace` for `add`). */
function idempotent(lines: readonly string[]): string[] {
  return lines.map((l) => l.replace(/^(address|route) add /, "$1 replace "));
}

async function setForwarding(run: Runner, namespace: string, on: boolean): Promise<void> {
  await run("ip", ["netns", "exec", namespace, "sysctl", ...forwardingSysctl(on)]);
}
