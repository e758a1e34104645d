/**
 * The qemu provider's half of an apply. A VM whose kind says it must be
 * made new (memory, CPUs, NICs, router files, exec lines), or whose QEMU
 * command line changes (a NIC's backend: another transport, another
 * tunnel port), is stopped and started from the new plan; its taps stay,
 * so its peers' mirred filters still point at them. A kept VM's addresses,
 * routes, forwarding and hosts file change in place through its agent, and
 * its initramfs is written again so that a later restart boots as planned.
 */
import type { GuestImage } from "../../image/build.js";
import { hostsText } from "../../plan/hosts.js";
import { vmNodes } from "../../plan/kinds/vm.js";
import type { LabPlan, VmNodePlan } from "../../plan/types.js";
import { configChange } from "../config-diff.js";
import { forwardingSysctl } from "../iproute2.js";
import type { ApplyContext } from "../provider.js";
import { closeSession, openSession } from "../session.js";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "./agent.js";
import { qemuArgs } from "./args.js";

/** The provider's own steps an apply uses (passed in: the provider module imports this one). */
export interface VmSteps {
  start(ctx: ApplyContext, image: GuestImage, only: readonly string[]): Promise<void>;
  stop(ctx: ApplyContext, nodes: readonly string[]): Promise<unknown>;
  writeInitrd(
    ctx: ApplyContext,
    image: GuestImage,
    node: VmNodePlan,
    hosts: string,
  ): Promise<unknown>;
}

/** A VM's QEMU command line in a plan, with what does not depend on the plan held fixed. */
function commandLine(ctx: ApplyContext, plan: LabPlan, node: VmNodePlan): string {
  return JSON.stringify(
    qemuArgs(plan, node, {
      accel: "tcg",
      kernel: "kernel",
      initrd: "initrd",
      tools: "tools",
      files: ctx.layout.vm(node.name),
      ports: ctx.ports,
      nicSocket: (i) => ctx.layout.nicSocket(node.name, i),
    }),
  );
}

/** VMs of both plans that must start again from the new plan, and why. */
export function vmsToRestart(ctx: ApplyContext): Map<string, string> {
  const out = new Map<string, string>();
  const old = new Map(vmNodes(ctx.before).map((n) => [n.name, n]));
  for (const n of vmNodes(ctx.plan)) {
    const was = old.get(n.name);
    if (!was) continue;
    if (ctx.rebuilt.has(n.name)) out.set(n.name, "rebuilt");
    else if (commandLine(ctx, ctx.before, was) !== commandLine(ctx, ctx.plan, n))
      out.set(n.name, "its NICs are wired differently");
  }
  return out;
}

/** Stops VMs that go, and those that start again from the new plan. */
export async function retireVms(ctx: ApplyContext, steps: VmSteps): Promise<void> {
  const kept = new Set(vmNodes(ctx.plan).map((n) => n.name));
  const restart = vmsToRestart(ctx);
  const doomed = vmNodes(ctx.before)
    .map((n) => n.name)
    .filter((n) => !kept.has(n) || restart.has(n));
  await steps.stop(ctx, doomed);
}

/**
 * Starts new VMs and those stopped by {@link retireVms}; changes kept ones in place.
 *
 * @throws {AgentError} when a kept VM does not answer
 */
export async function applyVms(
  ctx: ApplyContext,
  image: GuestImage,
  steps: VmSteps,
): Promise<void> {
  const old = new Map(vmNodes(ctx.before).map((n) => [n.name, n]));
  const restart = vmsToRestart(ctx);
  const start = vmNodes(ctx.plan)
    .map((n) => n.name)
    .filter((n) => !old.has(n) || restart.has(n));
  for (const [n, why] of restart) ctx.reporter?.info?.(`restarting ${n}: ${why}`);
  await steps.start(ctx, image, start);
  const hosts = hostsText(ctx.plan);
  const hostsBefore = hostsText(ctx.before);
  const s = openSession({ ...ctx, images: async () => image });
  try {
    for (const n of vmNodes(ctx.plan)) {
      const was = old.get(n.name);
      if (!was || restart.has(n.name) || n.vm.userImage) continue;
      const change = configChange(was, n, new Set());
      const agent = await s.agents.get(n.name);
      const run = (argv: string[]) => agent.run(argv, DEFAULT_COMMAND_TIMEOUT_MS);
      for (const line of change.remove) await run(["ip", ...line.split(" ")]);
      for (const line of change.add) {
        const r = await run(["ip", ...line.split(" ")]);
        if (r.exitCode !== 0) throw new Error(`${n.name}: ip ${line}: ${r.stderr.trim()}`);
      }
      if (was.forwarding !== n.forwarding) await run(["sysctl", ...forwardingSysctl(n.forwarding)]);
      if (hosts !== hostsBefore)
        await run(["sh", "-c", 'printf "%s" "$1" > /etc/hosts', "sh", hosts]);
      const changed =
        change.remove.length + change.add.length > 0 || was.forwarding !== n.forwarding;
      if (changed || hosts !== hostsBefore) await steps.writeInitrd(ctx, image, n, hosts);
    }
  } finally {
    await closeSession(s);
  }
}
