/**
 * `kind: vm`: a QEMU virtual machine running wirelab's guest, or the user's
 * image (`image:`, `kernel:`), with `memory:` MiB and `cpus:`. Its
 * interfaces are virtual NICs backed by host objects.
 */
import { deviceSpec } from "../devices/index.js";
import { keysDiffering, sameValue } from "../differing.js";
import { sshKey } from "../ports.js";
import type { LabPlan, NodePlan, VmNodePlan } from "../types.js";
import { COMMON_ATTRIBUTES } from "./linux.js";
import type { KindSpec } from "./types.js";

/** Guest memory of a VM node unless it says otherwise, in MiB. */
export const DEFAULT_VM_MEMORY_MIB = 96;

/** The plan half of `kind: vm`. */
export const vmKind: KindSpec<VmNodePlan> = {
  name: "vm",
  summary: "a QEMU virtual machine",
  label: "VM",
  attaches: "hypervisor",
  attributes: [
    ...COMMON_ATTRIBUTES,
    "memory",
    "cpus",
    "image",
    "kernel",
    "initrd",
    "append",
    "nic",
    "start",
  ],
  plan(node, input, diagnostics) {
    if (node.written.includes("initrd") && !node.written.includes("kernel")) {
      diagnostics.push({
        code: "bad-value",
        message: `"initrd" needs a "kernel" to boot with`,
        path: [...node.path, "initrd"],
        atKey: true,
      });
    }
    return {
      vm: {
        // What runs in it may need more than the guest alone (a router's daemons).
        memoryMiB:
          node.memory ?? Math.max(DEFAULT_VM_MEMORY_MIB, deviceSpec(node.device).vmMemoryMiB),
        cpus: node.cpus ?? 1,
        managementMac: input.managementMac,
        nic: node.nic === "e1000" ? "e1000" : "virtio-net-pci",
        ...(node.start === "boot" ? { start: "boot" as const } : {}),
        ...(node.userImage ? { userImage: node.userImage } : {}),
      },
    };
  },
  namespaceOf: () => undefined,
  // Management eth0 on QEMU user networking, SSH forwarded from 127.0.0.1.
  ports: (node) => [{ key: sshKey(node.name), protocol: "tcp" }],
  rebuildFor(a, b) {
    // How it starts does not change a running VM.
    const vm = keysDiffering(a.vm, b.vm).filter((k) => k !== "start");
    if (vm.length) return `QEMU cannot change its ${vm.join(", ")} while it runs`;
    const nics = (n: VmNodePlan) => n.interfaces.map((i) => [i.ifname, i.mac]);
    if (!sameValue(nics(a), nics(b)))
      return "its NICs changed (QEMU's NICs are fixed at its start)";
    if (!sameValue(a.device, b.device))
      return "its device or router files changed (they are in its initramfs)";
    if (!sameValue(a.exec, b.exec)) return "its exec lines changed (they run again in a new boot)";
    return undefined;
  },
  // A user's image has no wirelab agent.
  runsCommands: (node) => usesGuestImage(node),
  exportTo: { clab: false, libvirt: true },
};

/** Whether a VM boots wirelab's guest image (with its agent), rather than the user's own. */
export function usesGuestImage(node: VmNodePlan): boolean {
  return node.vm.userImage === undefined;
}

/** Whether a node is a VM. */
export function isVm(node: NodePlan): node is VmNodePlan {
  return node.kind === "vm";
}

/** The VM nodes of a plan, in plan order. */
export function vmNodes(plan: LabPlan): VmNodePlan[] {
  return plan.nodes.filter(isVm);
}
