/**
 * The kernel side of splicing a namespace interface onto the wire daemon
 * live (see `SpliceSide` "device"). For interface D in namespace NS, a
 * helper vEth H joins NS to the host's namespace (the same name at both
 * ends; socat serves the host end for the daemon):
 *
 *   D egress  ── tc mirred egress redirect ──▶ H (NS) ──▶ H (host) ──▶ socat ──▶ daemon
 *   daemon ──▶ socat ──▶ H (host) ──▶ H (NS) ingress ── mirred ingress redirect ──▶ D
 *
 * so what D sends goes through the daemon and what the daemon sends is
 * received on D, as from its wire; D keeps its addresses and routes, and
 * its peer end keeps carrier. The helper in NS takes D's MAC: the kernel
 * classifies a frame by the device it arrives on (eth_type_trans), so only
 * then are D's unicast frames "for this host" once redirected into D. The
 * helper in NS completes checksums in software (no tx offload): a frame
 * D's stack left to offload is finished as it enters the helper, so socat
 * reads it whole.
 * tc-mirred(8); the redirect of D's egress is one filter added or deleted,
 * so frames switch path at once, never lost between the two.
 */
import type { Runner } from "../../exec.js";
import { transportOf } from "../../plan/transports/index.js";
import type { LabPlan } from "../../plan/types.js";
import { PlanView } from "../../plan/view.js";
import { checksumsInSoftware } from "./kernel.js";

/**
 * The interfaces a splice would divert (its transport's `device` sides),
 * by namespace: they get their clsact hook when they are made, since the
 * kernel drops a frame now and then while a qdisc is added or deleted on a
 * busy interface; adding or deleting a filter on it loses none.
 */
export function spliceableDevices(plan: LabPlan): Map<string, string[]> {
  const view = new PlanView(plan);
  const out = new Map<string, Set<string>>();
  for (const l of plan.links)
    for (const e of l.endpoints)
      for (const p of transportOf(l).splice?.(l, e, view).ports ?? [])
        if (p.side.type === "device")
          out.set(p.side.namespace, (out.get(p.side.namespace) ?? new Set()).add(p.side.device));
  return new Map([...out].map(([ns, devs]) => [ns, [...devs]]));
}

/**
 * Gives the spliceable interfaces of these namespaces (all when absent)
 * their clsact hook, where they have none yet (tc-bpf(8), "clsact").
 *
 * @throws {CommandError} when tc fails outright
 */
export async function addSpliceHooks(
  run: Runner,
  plan: LabPlan,
  namespaces?: ReadonlySet<string>,
): Promise<void> {
  for (const [ns, devices] of spliceableDevices(plan)) {
    if (namespaces && !namespaces.has(ns)) continue;
    // -force: one that has its hook already ("Exclusivity flag on") does not stop the rest.
    await run("tc", ["-n", ns, "-force", "-batch", "-"], {
      input: `${devices.map((d) => `qdisc add dev ${d} clsact`).join("\n")}\n`,
      check: false,
    });
  }
}

/** Priority of wirelab's filters on a spliced interface. */
const PRIO = "1";

type Hook = "ingress" | "egress";

/** A filter that takes every frame: matchall where the kernel has it, else u32 (tc-u32(8)). */
let classifier: "matchall" | "u32" | undefined;

async function addRedirect(
  run: Runner,
  namespace: string,
  dev: string,
  hook: Hook,
  action: string[],
): Promise<void> {
  const base = [
    "-n",
    namespace,
    "filter",
    "add",
    "dev",
    dev,
    hook,
    "protocol",
    "all",
    "prio",
    PRIO,
  ];
  const tryOne = (c: "matchall" | "u32") =>
    run(
      "tc",
      [
        ...base,
        ...(c === "matchall" ? ["matchall"] : ["u32", "match", "u32", "0", "0"]),
        "action",
        ...action,
      ],
      {
        check: false,
      },
    );
  if (classifier !== "u32") {
    const r = await tryOne("matchall");
    if (r.exitCode === 0) {
      classifier = "matchall";
      return;
    }
    if (classifier === "matchall") await run("tc", [...base, "matchall", "action", ...action]);
  }
  classifier = "u32";
  await run("tc", [...base, "u32", "match", "u32", "0", "0", "action", ...action]);
}

/** Adds a clsact qdisc unless the device has one (tc-bpf(8), "clsact"). */
async function ensureClsact(run: Runner, namespace: string, dev: string): Promise<void> {
  const r = await run("tc", ["-n", namespace, "-j", "qdisc", "show", "dev", dev]);
  const qdiscs = JSON.parse(r.stdout || "[]") as { kind: string }[];
  if (!qdiscs.some((q) => q.kind === "clsact"))
    await run("tc", ["-n", namespace, "qdisc", "add", "dev", dev, "clsact"]);
}

async function deleteFilter(run: Runner, namespace: string, dev: string, hook: Hook) {
  await run("tc", ["-n", namespace, "filter", "del", "dev", dev, hook, "prio", PRIO], {
    check: false,
  });
}

/**
 * Makes the helper vEth of a device side and its way back into the device;
 * nothing is diverted yet. Runs again over what it made.
 *
 * @throws {CommandError} when the device is not there or the kernel refuses
 */
export async function prepareDeviceSide(
  run: Runner,
  side: { readonly namespace: string; readonly device: string },
  helper: string,
): Promise<void> {
  const ns = side.namespace;
  const shown = await run("ip", ["-n", ns, "-j", "link", "show", "dev", side.device]);
  const mac = (JSON.parse(shown.stdout) as { address: string }[])[0]?.address as string;
  const exists = await run("ip", ["link", "show", "dev", helper], { check: false });
  if (exists.exitCode !== 0)
    await run("ip", ["link", "add", helper, "type", "veth", "peer", "name", helper, "netns", ns]);
  // No addresses, no ARP, no IPv6 link-local: the helpers themselves send nothing.
  await run("ip", ["-n", ns, "-batch", "-"], {
    input: [
      `link set ${helper} address ${mac}`,
      `link set ${helper} addrgenmode none arp off`,
      `link set ${helper} up`,
    ].join("\n"),
  });
  await run("ip", ["-batch", "-"], {
    input: [`link set ${helper} addrgenmode none arp off`, `link set ${helper} up`].join("\n"),
  });
  // socat reads the host end as frames come: the kernel must finish their checksums first.
  await checksumsInSoftware(run, [{ namespace: ns, ifname: helper }]);
  await ensureClsact(run, ns, helper);
  await deleteFilter(run, ns, helper, "ingress");
  await addRedirect(run, ns, helper, "ingress", [
    "mirred",
    "ingress",
    "redirect",
    "dev",
    side.device,
  ]);
}

/**
 * Sends what the device sends to its helper (one filter: the switch is at once).
 *
 * @throws {CommandError} when the kernel refuses
 */
export async function divertDevice(
  run: Runner,
  side: { readonly namespace: string; readonly device: string },
  helper: string,
): Promise<void> {
  await ensureClsact(run, side.namespace, side.device);
  await deleteFilter(run, side.namespace, side.device, "egress");
  await addRedirect(run, side.namespace, side.device, "egress", [
    "mirred",
    "egress",
    "redirect",
    "dev",
    helper,
  ]);
}

/**
 * Lets the device send on its own wire again; skips what is gone. Its
 * clsact hook stays (see {@link spliceableDevices}).
 */
export async function undivertDevice(
  run: Runner,
  side: { readonly namespace: string; readonly device: string },
): Promise<void> {
  await deleteFilter(run, side.namespace, side.device, "egress");
}

/** Deletes a helper vEth (both ends); skips one that is gone. */
export async function removeHelper(run: Runner, helper: string): Promise<void> {
  await run("ip", ["link", "del", "dev", helper], { check: false });
}
