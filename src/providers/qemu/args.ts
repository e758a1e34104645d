/**
 * QEMU command lines for VM nodes (QEMU 7.2 "Invocation" and "Network
 * options" docs): one process per VM with a pidfile; virtio-net NICs with
 * the plan's MACs, each backed by what its link's transport says (a UDP
 * tunnel, a tap, a unix stream socket); management on QEMU user networking
 * (`restrict=on`: the guest reaches nothing but the forwarded port); serial
 * console, command agent and QMP on unix sockets.
 */

import { TOOLS_DISK_SERIAL } from "../../image/tools.js";
import { type LabPorts, portNumber, sshKey } from "../../plan/ports.js";
import { transportOf } from "../../plan/transports/index.js";
import type { NicBackend } from "../../plan/transports/types.js";
import type { LabPlan, VmNodePlan, VmPlan } from "../../plan/types.js";
import { PlanView } from "../../plan/view.js";
import type { Accel } from "./accel.js";

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
    /** QEMU's own messages (`-D`; its errors go there once it runs). */
    readonly log: string;
    /** QMP socket (`set_link` for `wirelab link down`, readiness). */
    readonly qmp?: string;
  };
  readonly ports: LabPorts;
  /** The unix socket of the node's `index`-th NIC (1-based), for NICs on wire-daemon links. */
  readonly nicSocket: (index: number) => string;
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

/**
 * The 1-based position of a node's interface: QEMU's netdev id is `n<i>`
 * (QMP's `set_link` name), and its stream socket is numbered the same.
 *
 * @throws {Error} when the node has no such interface
 */
export function nicIndex(
  node: { name: string; interfaces: readonly { ifname: string }[] },
  ifname: string,
): number {
  const i = node.interfaces.findIndex((x) => x.ifname === ifname);
  if (i < 0) throw new Error(`node ${node.name} has no interface ${ifname}`);
  return i + 1;
}

/** QEMU netdev id of a VM interface (`n1` for the first lab NIC). */
export function netdevId(
  node: { name: string; interfaces: readonly { ifname: string }[] },
  ifname: string,
): string {
  return `n${nicIndex(node, ifname)}`;
}

/**
 * A value inside a QEMU option string (`-drive file=…,if=…`), where a comma
 * separates options: doubled, so a path with one stays one value and cannot
 * add options (QEMU docs, "Invocation": "to include a comma in a value,
 * double it").
 */
export function optionValue(value: string): string {
  return value.replaceAll(",", ",,");
}

/** `-name` of a VM's QEMU: how `down` recognizes its process. */
export function qemuName(lab: string, node: string): string {
  return `wl-${lab}-${node}`;
}

/**
 * Guest RAM in a file (QEMU's `memory-backend-file`): a snapshot's guest
 * writes its RAM into the file (`share: true`); a VM restored from the
 * snapshot maps that file private (`share: false`), so its pages are read
 * from the file and copied only when the guest writes them (copy-on-write:
 * every VM of one snapshot shares the pages none of them changed).
 */
export interface RamFile {
  readonly path: string;
  readonly share: boolean;
}

/** A VM's QEMU, as {@link vmArgs} puts it together. */
export interface VmSpec {
  /** `-name` (how `down` recognizes its process). */
  readonly name: string;
  readonly accel: Accel;
  readonly vm: Pick<VmPlan, "memoryMiB" | "cpus" | "nic" | "managementMac">;
  /** What it boots (`-kernel …` or a user's disk). */
  readonly boot: readonly string[];
  readonly files: Pick<
    VmLaunch["files"],
    "agent" | "console" | "consoleLog" | "pidfile" | "log" | "qmp"
  >;
  /** The management NIC's `-netdev user` options after its id (`hostfwd=…`). */
  readonly management: string;
  /** Each lab NIC: its `-netdev` value (with `id=n<i>`) and MAC. */
  readonly nics: readonly { readonly netdev: string; readonly mac: string }[];
  /** Guest RAM in a file instead of anonymous memory. */
  readonly ram?: RamFile;
  /** Waits for a saved state (`-incoming defer`; QMP `migrate-incoming` loads it). */
  readonly incoming?: boolean;
}

/**
 * The arguments of `qemu-system-x86_64` for a VM: the machine and its
 * devices in a fixed order, which is what a saved state must match (QEMU
 * docs, "Migration framework": both sides need the same devices).
 *
 * @returns arguments; QEMU daemonizes once it runs (`-daemonize`), having
 *   written its PID to the pidfile
 */
export function vmArgs(spec: VmSpec): string[] {
  const { vm, files } = spec;
  const args = [
    "-name",
    spec.name,
    // A 32 MiB translation cache instead of TCG's default keeps each VM's host RSS under 200 MiB.
    "-accel",
    spec.accel === "tcg" ? `tcg,tb-size=${TCG_TB_SIZE_MIB}` : "kvm",
    "-m",
    String(vm.memoryMiB),
    "-smp",
    String(vm.cpus),
  ];
  if (spec.ram)
    args.push(
      "-object",
      `memory-backend-file,id=ram,size=${vm.memoryMiB}M,mem-path=${optionValue(spec.ram.path)},share=${spec.ram.share ? "on" : "off"}`,
      "-machine",
      "memory-backend=ram",
    );
  args.push(
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    ...spec.boot,
    "-chardev",
    `socket,id=console,path=${optionValue(files.console)},server=on,wait=off,logfile=${optionValue(files.consoleLog)}`,
    "-serial",
    "chardev:console",
    "-device",
    "virtio-serial-pci",
    "-chardev",
    `socket,id=agent,path=${optionValue(files.agent)},server=on,wait=off`,
    "-device",
    "virtserialport,chardev=agent,name=wirelab.cmd",
    "-netdev",
    `user,id=mgmt,restrict=on${spec.management ? `,${spec.management}` : ""}`,
    "-device",
    `${vm.nic},netdev=mgmt,mac=${vm.managementMac}`,
  );
  spec.nics.forEach((nic, i) => {
    args.push(
      "-netdev",
      nic.netdev,
      "-device",
      `${vm.nic},netdev=n${i + 1},mac=${nic.mac}${vm.nic === "virtio-net-pci" ? VIRTIO_LINK : ""}`,
    );
  });
  if (files.qmp) args.push("-qmp", `unix:${optionValue(files.qmp)},server=on,wait=off`);
  if (spec.incoming) args.push("-incoming", "defer");
  args.push("-pidfile", files.pidfile, "-D", files.log, "-daemonize");
  return args;
}

/**
 * @param restore - the RAM file of the snapshot the VM is restored from (it
 *   then waits for the snapshot's state: `-incoming defer`)
 * @returns arguments of `qemu-system-x86_64` for the node (see {@link vmArgs})
 * @throws {Error} when a port the lab should hold is missing
 */
export function qemuArgs(
  plan: LabPlan,
  node: VmNodePlan,
  launch: VmLaunch,
  restore?: { readonly ram: string },
): string[] {
  const backends = nicBackends(plan, node);
  return vmArgs({
    name: qemuName(plan.lab, node.name),
    accel: launch.accel,
    vm: node.vm,
    boot: bootArgs(node.vm, launch),
    files: launch.files,
    management: `hostfwd=tcp:127.0.0.1:${portNumber(launch.ports, "tcp", sshKey(node.name))}-:22`,
    nics: backends.map(({ iface, backend }, i) => ({
      netdev: netdev(`n${i + 1}`, backend, launch, i + 1),
      mac: iface.mac,
    })),
    ...(restore ? { ram: { path: restore.ram, share: false }, incoming: true } : {}),
  });
}

/**
 * What wirelab's guest boots: its kernel and an initramfs, with the
 * image's read-only tools disk when there is one.
 */
export function guestBootArgs(kernel: string, initrd: string, tools?: string): string[] {
  const boot = ["-kernel", kernel, "-initrd", initrd, "-append", GUEST_CMDLINE];
  if (!tools) return boot;
  // Shared by every VM, never written: read-only, no lock conflict between QEMUs.
  return [
    ...boot,
    "-drive",
    `file=${optionValue(tools)},if=none,id=tools,format=raw,readonly=on`,
    "-device",
    `virtio-blk-pci,drive=tools,serial=${TOOLS_DISK_SERIAL}`,
  ];
}

/** Each of a VM's lab NICs with what backs it, in interface order (the link's transport decides). */
function nicBackends(
  plan: LabPlan,
  node: VmNodePlan,
): { readonly iface: VmNodePlan["interfaces"][number]; readonly backend: NicBackend }[] {
  const view = new PlanView(plan);
  return node.interfaces.map((iface) => {
    const link = view.link(iface.link);
    return {
      iface,
      backend: transportOf(link).nicBackend(link, { node: node.name, ifname: iface.ifname }),
    };
  });
}

/** The host taps that back a VM's NICs (QEMU holds them open while it runs). */
export function vmTaps(plan: LabPlan, node: VmNodePlan): string[] {
  return nicBackends(plan, node).flatMap(({ backend: b }) => (b.type === "tap" ? [b.device] : []));
}

/**
 * Which of a VM's lab NICs are on taps, by interface index (0 for the
 * first lab NIC): their backend carries a virtio-net header, so their
 * offloads (checksum, TSO) can be negotiated.
 */
export function nicsOnTaps(plan: LabPlan, node: VmNodePlan): ReadonlySet<number> {
  const on = new Set<number>();
  nicBackends(plan, node).forEach(({ backend }, i) => {
    if (backend.type === "tap") on.add(i);
  });
  return on;
}

/** A `-netdev` value for a NIC, from what backs it. */
function netdev(id: string, backend: NicBackend, launch: VmLaunch, index: number): string {
  switch (backend.type) {
    case "udp": {
      const local = portNumber(launch.ports, "udp", backend.localPort);
      const remote = portNumber(launch.ports, "udp", backend.remotePort);
      // Each end listens on its own port and sends to its peer's (QEMU's "-netdev socket,udp=").
      return `socket,id=${id},udp=127.0.0.1:${remote},localaddr=127.0.0.1:${local}`;
    }
    case "tap":
      return `tap,id=${id},ifname=${backend.device},script=no,downscript=no`;
    case "stream":
      // QEMU listens (frames with a 4-byte length); the daemon connects, and again whenever either side restarts.
      return `stream,id=${id},server=on,addr.type=unix,addr.path=${optionValue(launch.nicSocket(index))}`;
  }
}

/**
 * What the VM boots: wirelab's guest (kernel + the node's initramfs), or the
 * user's image: its disk, never written (`snapshot=on`: changes are dropped
 * when QEMU stops), booted by its own boot loader or by a given kernel.
 */
function bootArgs(vm: VmPlan, launch: VmLaunch): string[] {
  const user = vm.userImage;
  if (!user) return guestBootArgs(launch.kernel, launch.initrd, launch.tools);
  const args: string[] = [];
  if (user.disk) {
    const format = /\.qcow2$/i.test(user.disk)
      ? ",format=qcow2"
      : /\.(img|raw)$/i.test(user.disk)
        ? ",format=raw"
        : "";
    args.push("-drive", `file=${optionValue(user.disk)},if=virtio,snapshot=on${format}`);
  }
  if (user.kernel) {
    args.push("-kernel", user.kernel);
    if (user.initrd) args.push("-initrd", user.initrd);
    args.push("-append", user.append ?? "console=ttyS0");
  }
  return args;
}
