/** What the VM exports need beyond a plan, fixed so golden files stay stable. */
import type { GuestImage } from "../../src/image/build.js";
import { vmNodes } from "../../src/plan/kinds/vm.js";
import { type LabPorts, udpKey } from "../../src/plan/ports.js";
import type { LabPlan } from "../../src/plan/types.js";

/** The default image folder's files, as a built image would name them. */
export const image = {
  dir: "/var/cache/wirelab/image",
  kernel: "/var/cache/wirelab/image/vmlinuz",
  initrd: "/var/cache/wirelab/image/initrd.gz",
  tools: "/var/cache/wirelab/image/tools.img",
} as GuestImage;

/** Ports 30000, 30001, … for the ends of every VM↔VM p2p link, in plan order. */
export function fixedPorts(plan: LabPlan): LabPorts {
  const vms = new Set(vmNodes(plan).map((n) => n.name));
  const udp: Record<string, number> = {};
  let next = 30000;
  for (const l of plan.links) {
    if (l.type !== "p2p" || !l.endpoints.every((e) => vms.has(e.node))) continue;
    for (const e of l.endpoints) udp[udpKey(l.name, e.node, e.ifname)] = next++;
  }
  return { udp, tcp: {} };
}
