/**
 * `wirelab create --output libvirt`: one libvirt domain XML per VM node and
 * one network XML per LAN of VMs (libvirt "Domain XML format" and "Network
 * XML format"), from the same plan `up` runs.
 *
 * - VM↔VM p2p links are `<interface type='udp'>` QEMU tunnels: `source` is
 *   the far end's port, `local` this end's (the two ends' ports crossed),
 *   whatever carries them in wirelab (libvirt has no tap+mirred or daemon).
 * - LANs of VMs are `<interface type='bridge'>` on the bridge of the LAN's
 *   network (`<forward>`-less, STP off, no delay).
 * - Management is `<interface type='user'>`; the serial console and the
 *   command agent (virtio-serial `wirelab.cmd`) are unix sockets in the
 *   output folder; wirelab's guest boots its kernel with the node's
 *   initramfs (written next to the XML) and the read-only tools disk.
 * - Links with a namespace end have no libvirt form: they are named in an
 *   XML comment of the VM's domain. Impairments are not carried either.
 */
import { join } from "node:path";
import { WirelabError } from "../errors.js";
import type { GuestImage } from "../image/build.js";
import { TOOLS_DISK_SERIAL } from "../image/tools.js";
import { kindSpec } from "../plan/kinds/index.js";
import { vmNodes } from "../plan/kinds/vm.js";
import { exportBridgeName } from "../plan/names.js";
import { type LabPorts, type PortRequest, udpKey } from "../plan/ports.js";
import type { LabPlan, LinkPlan, VmNodePlan } from "../plan/types.js";
import { GUEST_CMDLINE, qemuName } from "../providers/qemu/args.js";

/** Files of the export, by name. */
export type LibvirtExport = Record<string, string>;

/** What the XML points at, outside the plan. */
export interface LibvirtContext {
  /** Folder the files are written to (sockets and initramfs paths point into it). */
  readonly dir: string;
  /** wirelab's guest image, for VMs that run it. */
  readonly image?: GuestImage;
  /** UDP ports of the VM↔VM tunnels (as `up` allocates them). */
  readonly ports: LabPorts;
  /** libvirt domain type: `kvm`, or `qemu` for TCG. @default "kvm" */
  readonly domainType?: "kvm" | "qemu";
}

/**
 * @returns `<node>.xml` per VM and `net-<link>.xml` per LAN of VMs
 * @throws {WirelabError} when the lab has no VM node, or a VM runs wirelab's image and none is given
 */
export function libvirtExport(plan: LabPlan, ctx: LibvirtContext): LibvirtExport {
  const vms = libvirtNodes(plan);
  if (vms.length === 0) {
    throw new WirelabError(`lab "${plan.lab}" has no VM nodes; libvirt export writes VM domains`);
  }
  const out: LibvirtExport = {};
  const allVms = allOf(vms);
  const bridges = new Map<string, string>();
  plan.links
    .filter((l) => l.type === "lan" && allVms(l))
    .forEach((l, i) => {
      const bridge = exportBridgeName(plan.lab, i + 1);
      bridges.set(l.name, bridge);
      out[`net-${l.name}.xml`] = networkXml(`${plan.lab}-${l.name}`, bridge);
    });
  for (const node of vms) out[`${node.name}.xml`] = domainXml(plan, node, ctx, bridges, allVms);
  return out;
}

/** The nodes libvirt and Vagrant describe: those whose kind they export (VMs). */
export function libvirtNodes(plan: LabPlan): VmNodePlan[] {
  return vmNodes(plan).filter((n) => kindSpec(n.kind).exportTo.libvirt);
}

/** Whether every end of a link is one of these nodes. */
export function allOf(nodes: readonly { name: string }[]): (l: LinkPlan) => boolean {
  const names = new Set(nodes.map((n) => n.name));
  return (l) => l.endpoints.every((e) => names.has(e.node));
}

/**
 * Ports the libvirt and Vagrant exports need: both ends of every VM↔VM p2p
 * link, which they write as QEMU UDP tunnels, in link order.
 */
export function tunnelPortRequests(plan: LabPlan): PortRequest[] {
  const allVms = allOf(libvirtNodes(plan));
  return plan.links
    .filter((l) => l.type === "p2p" && allVms(l))
    .flatMap((l) =>
      l.endpoints.map((e) => ({ key: udpKey(l.name, e.node, e.ifname), protocol: "udp" as const })),
    );
}

function domainXml(
  plan: LabPlan,
  node: VmNodePlan,
  ctx: LibvirtContext,
  bridges: ReadonlyMap<string, string>,
  allVms: (l: LinkPlan) => boolean,
): string {
  const vm = node.vm;
  const model = vm.nic === "e1000" ? "e1000" : "virtio";
  const lines: string[] = [];
  const skipped: string[] = [];
  lines.push(`<domain type='${ctx.domainType ?? "kvm"}'>`);
  lines.push(`  <name>${esc(qemuName(plan.lab, node.name))}</name>`);
  lines.push(`  <memory unit='MiB'>${vm.memoryMiB}</memory>`, `  <vcpu>${vm.cpus}</vcpu>`);
  lines.push("  <os>", "    <type arch='x86_64' machine='pc'>hvm</type>");
  const user = vm.userImage;
  if (!user) {
    if (!ctx.image)
      throw new WirelabError("the guest image is not built; run: wirelab image build");
    lines.push(
      `    <kernel>${esc(ctx.image.kernel)}</kernel>`,
      `    <initrd>${esc(join(ctx.dir, `${node.name}.initrd`))}</initrd>`,
      `    <cmdline>${esc(GUEST_CMDLINE)}</cmdline>`,
    );
  } else if (user.kernel) {
    lines.push(`    <kernel>${esc(user.kernel)}</kernel>`);
    if (user.initrd) lines.push(`    <initrd>${esc(user.initrd)}</initrd>`);
    lines.push(`    <cmdline>${esc(user.append ?? "console=ttyS0")}</cmdline>`);
  } else {
    lines.push("    <boot dev='hd'/>");
  }
  lines.push("  </os>", "  <on_poweroff>destroy</on_poweroff>", "  <devices>");
  if (user?.disk) {
    // As wirelab runs it: the user's disk is never written (a transient overlay).
    lines.push(
      "    <disk type='file' device='disk'>",
      `      <driver name='qemu' type='${/\.qcow2$/i.test(user.disk) ? "qcow2" : "raw"}'/>`,
      `      <source file='${esc(user.disk)}'/>`,
      "      <target dev='vda' bus='virtio'/>",
      "      <transient/>",
      "    </disk>",
    );
  } else if (!user && ctx.image) {
    lines.push(
      "    <disk type='file' device='disk'>",
      "      <driver name='qemu' type='raw'/>",
      `      <source file='${esc(ctx.image.tools)}'/>`,
      "      <target dev='vda' bus='virtio'/>",
      "      <readonly/>",
      `      <serial>${TOOLS_DISK_SERIAL}</serial>`,
      "    </disk>",
    );
  }
  lines.push(
    "    <interface type='user'>",
    `      <mac address='${vm.managementMac}'/>`,
    `      <model type='${model}'/>`,
    "    </interface>",
  );
  for (const iface of node.interfaces) {
    const link = plan.links.find((l) => l.name === iface.link) as LinkPlan;
    if (!allVms(link)) {
      skipped.push(`${iface.ifname} (link ${link.name} has a namespace end)`);
      continue;
    }
    lines.push(`    <interface type='${link.type === "lan" ? "bridge" : "udp"}'>`);
    lines.push(`      <mac address='${iface.mac}'/>`);
    if (link.type === "lan") {
      lines.push(`      <source bridge='${bridges.get(link.name)}'/>`);
    } else {
      const peer = link.endpoints.find((e) => !(e.node === node.name && e.ifname === iface.ifname));
      const port = (n: string, i: string) => {
        const p = ctx.ports.udp[udpKey(link.name, n, i)];
        if (p === undefined) throw new WirelabError(`no UDP port for ${n}:${i} on ${link.name}`);
        return p;
      };
      // source: where this end sends (the peer's port); local: where it listens.
      lines.push(
        `      <source address='127.0.0.1' port='${port(peer?.node ?? "", peer?.ifname ?? "")}'>`,
        `        <local address='127.0.0.1' port='${port(node.name, iface.ifname)}'/>`,
        "      </source>",
      );
    }
    lines.push(`      <model type='${model}'/>`, "    </interface>");
  }
  const sock = (what: string) => esc(join(ctx.dir, `${node.name}.${what}`));
  lines.push(
    "    <serial type='unix'>",
    `      <source mode='bind' path='${sock("console")}'/>`,
    "      <target port='0'/>",
    "    </serial>",
    "    <console type='unix'>",
    `      <source mode='bind' path='${sock("console")}'/>`,
    "      <target type='serial' port='0'/>",
    "    </console>",
  );
  if (!user) {
    lines.push(
      "    <channel type='unix'>",
      `      <source mode='bind' path='${sock("cmd")}'/>`,
      "      <target type='virtio' name='wirelab.cmd'/>",
      "    </channel>",
    );
  }
  lines.push("  </devices>", "</domain>", "");
  const head = [
    `<!-- libvirt domain of node ${esc(node.name)} of wirelab lab ${esc(plan.lab)}; virsh define ${node.name}.xml -->`,
    ...(skipped.length ? [`<!-- not in this domain: ${esc(skipped.join("; "))} -->`] : []),
  ];
  return [...head, ...lines].join("\n");
}

function networkXml(name: string, bridge: string): string {
  return [
    `<!-- LAN of wirelab VMs; virsh net-define then net-start -->`,
    "<network>",
    `  <name>${esc(name)}</name>`,
    `  <bridge name='${bridge}' stp='off' delay='0'/>`,
    "</network>",
    "",
  ].join("\n");
}

function esc(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/'/g, "&apos;");
}
