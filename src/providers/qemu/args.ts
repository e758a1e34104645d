/**
 * QEMU command lines for VM nodes (QEMU 7.2 "Invocation" and "Network
 * options" docs): one process per VM, in the background with a pidfile;
 * virtio-net NICs with the plan's MACs; management on QEMU user networking
 * (`restrict=on`: the guest reaches nothing but the forwarded port); serial
 * console and command agent on unix sockets.
 */

import { dirname, join } from "node:path";
import { TOOLS_DISK_SERIAL } from "../../image/tools.js";
import { isWireLink } from "../../plan/links.js";
import type { LabPlan, NodePlan } from "../../plan/types.js";
import type { Accel } from "./accel.js";
import { type LabPorts, udpKey } from "./ports.js";

/** Files and settings one VM's command line refers to. */
export interface VmLaunch {
  readonly accel: Accel;
  readonly kernel: string;
  /** The node's initramfs (base image plus its configuration). */
  readonly initrd: string;
  /** The image's read-only tools disk (lldpd …), attached to wirelab-image VMs. */
  readonly tools?: string;
  readonly files: {
    readonly agent: string;
    readonly console: string;
    readonly consoleLog: string;
    readonly pidfile: string;
    readonly log: string;
    /** QMP socket (`set_link` for `wirelab link down`). */
    readonly qmp?: string;
  };
  readonly ports: LabPorts;
}

/**
 * Kernel command line of wirelab's guest. Besides the console: skip the
 * probes a lab VM has no use for (i8042 keyboard and mouse, extra UARTs,
 * TSC checks) and the CPU vulnerability mitigations, which cost boot time
 * under TCG and protect nothing in a throw-away lab guest.
 */
export const GUEST_CMDLINE =
  "console=ttyS0 quiet panic=-1 mitigations=off i8042.noaux i8042.nomux i8042.nopnp i8042.nokbd 8250.nr_uarts=1 tsc=reliable no_timer_check";

/** TCG translation block cache per VM, in MiB (QEMU's `-accel tcg,tb-size=`). */
export const TCG_TB_SIZE_MIB = 32;

/**
 * Link speed and duplex a virtio NIC reports (VIRTIO_NET_F_SPEED_DUPLEX):
 * without them the guest's 802.3ad bonding never enables the port, so LACP
 * sends nothing. The figure is nominal; it limits nothing.
 */
const VIRTIO_LINK = ",speed=10000,duplex=full";

/** QEMU netdev id of a VM interface (`n1` for the first lab NIC): QMP's `set_link` name. */
export function netdevId(node: NodePlan, ifname: string): string {
  const i = node.interfaces.findIndex((x) => x.name === ifname);
  if (i < 0) throw new Error(`node ${node.name} has no interface ${ifname}`);
  return `n${i + 1}`;
}

/**
 * Unix socket a VM's QEMU listens on for a NIC on a wire-daemon link
 * (`-netdev stream`, QEMU ≥ 7.2), in the VM's folder next to its agent socket.
 */
export function streamSocket(vmDir: string, node: string, netdev: string): string {
  return join(vmDir, `${node}.${netdev}.sock`);
}

/** `-name` of a VM's QEMU: how `down` recognizes its process. */
export function qemuName(lab: string, node: string): string {
  return `wl-${lab}-${node}`;
}

/**
 * @returns arguments of `qemu-system-x86_64` for the node
 * @throws {Error} when the node is not a VM or a tunnel port is missing
 */
export function qemuArgs(plan: LabPlan, node: NodePlan, launch: VmLaunch): string[] {
  if (!node.vm) throw new Error(`node ${node.name} is not a VM`);
  const args = [
    "-name",
    qemuName(plan.lab, node.name),
    // A 32 MiB translation cache instead of TCG's default keeps each VM's host RSS under 200 MiB.
    "-accel",
    launch.accel === "tcg" ? `tcg,tb-size=${TCG_TB_SIZE_MIB}` : "kvm",
    "-m",
    String(node.vm.memoryMiB),
    "-smp",
    String(node.vm.cpus),
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    ...bootArgs(node.vm, launch),
    "-chardev",
    `socket,id=console,path=${launch.files.console},server=on,wait=off,logfile=${launch.files.consoleLog}`,
    "-serial",
    "chardev:console",
    "-device",
    "virtio-serial-pci",
    "-chardev",
    `socket,id=agent,path=${launch.files.agent},server=on,wait=off`,
    "-device",
    "virtserialport,chardev=agent,name=wirelab.cmd",
    "-netdev",
    `user,id=mgmt,restrict=on,hostfwd=tcp:127.0.0.1:${launch.ports.ssh[node.name]}-:22`,
    "-device",
    `${node.vm.nic},netdev=mgmt,mac=${node.vm.managementMac}`,
  ];
  const vm = node.vm;
  node.interfaces.forEach((iface) => {
    const id = netdevId(node, iface.name);
    args.push(
      "-netdev",
      netdev(plan, launch.ports, node, iface.name, iface.link, id, dirname(launch.files.agent)),
      "-device",
      `${vm.nic},netdev=${id},mac=${iface.mac}${vm.nic === "virtio-net-pci" ? VIRTIO_LINK : ""}`,
    );
  });
  if (launch.files.qmp) args.push("-qmp", `unix:${launch.files.qmp},server=on,wait=off`);
  args.push("-pidfile", launch.files.pidfile, "-D", launch.files.log, "-daemonize");
  return args;
}

function netdev(
  plan: LabPlan,
  ports: LabPorts,
  node: NodePlan,
  ifname: string,
  linkName: string,
  id: string,
  vmDir: string,
): string {
  const link = plan.links.find((l) => l.name === linkName);
  if (!link) throw new Error(`link ${linkName} is not in the plan`);
  if (link.transport === "udp") {
    const [a, b] = link.endpoints;
    const self = a.node === node.name && a.interface === ifname ? a : b;
    const peer = self === a ? b : a;
    const port = (e: { node: string; interface: string }) => {
      const p = ports.udp[udpKey(link.name, e.node, e.interface)];
      if (p === undefined)
        throw new Error(`no UDP port allocated for ${e.node}:${e.interface} on ${link.name}`);
      return p;
    };
    // Each end listens on its own port and sends to its peer's (QEMU's "-netdev socket,udp=").
    return `socket,id=${id},udp=127.0.0.1:${port(peer)},localaddr=127.0.0.1:${port(self)}`;
  }
  if (link.transport === "tap" || link.transport === "bridge") {
    const end = (
      link.endpoints as readonly { node: string; interface: string; tap?: string }[]
    ).find((e) => e.node === node.name && e.interface === ifname);
    if (!end?.tap) throw new Error(`no tap for ${node.name}:${ifname}`);
    return `tap,id=${id},ifname=${end.tap},script=no,downscript=no`;
  }
  if (isWireLink(link)) {
    // QEMU listens on a unix stream socket (frames with a 4-byte length); the daemon connects,
    // and connects again whenever either side restarts. Cheaper than a UDP tunnel per hop.
    const path = streamSocket(vmDir, node.name, id);
    return `stream,id=${id},server=on,addr.type=unix,addr.path=${path}`;
  }
  throw new Error(`transport ${link.transport} cannot reach a VM`);
}

/**
 * What the VM boots: wirelab's guest (kernel + the node's initramfs), or the
 * user's image: its disk, never written (`snapshot=on`: changes are dropped
 * when QEMU stops), booted by its own boot loader or by a given kernel.
 */
function bootArgs(vm: NonNullable<NodePlan["vm"]>, launch: VmLaunch): string[] {
  const user = vm.userImage;
  if (!user) {
    const boot = ["-kernel", launch.kernel, "-initrd", launch.initrd, "-append", GUEST_CMDLINE];
    if (!launch.tools) return boot;
    // Shared by every VM, never written: read-only, no lock conflict between QEMUs.
    return [
      ...boot,
      "-drive",
      `file=${launch.tools},if=none,id=tools,format=raw,readonly=on`,
      "-device",
      `virtio-blk-pci,drive=tools,serial=${TOOLS_DISK_SERIAL}`,
    ];
  }
  const args: string[] = [];
  if (user.disk) {
    const format = /\.qcow2$/i.test(user.disk)
      ? ",format=qcow2"
      : /\.(img|raw)$/i.test(user.disk)
        ? ",format=raw"
        : "";
    args.push("-drive", `file=${user.disk},if=virtio,snapshot=on${format}`);
  }
  if (user.kernel) {
    args.push("-kernel", user.kernel);
    if (user.initrd) args.push("-initrd", user.initrd);
    args.push("-append", user.append ?? "console=ttyS0");
  }
  return args;
}
