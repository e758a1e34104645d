/**
 * A VM node's identity: the files under `/etc` its guest reads (hostname,
 * forwarding, NIC names by MAC, addresses and routes, a router's FRR files,
 * the lab's /etc/hosts) and how they reach it. A booted VM finds them in an
 * archive appended to its initramfs (`initrd.ts`); a VM restored from a
 * snapshot gets them through its command agent, in one script
 * ({@link restoreScript}) that first makes the guest's random state and
 * clock its own (through the perl that waits in every restored guest,
 * `guest/restore-wait`), then writes the files and runs the guest's
 * `wirelab-identity` (`guest/identity`), the same program init runs at boot.
 */
import { TOOLS_DISK_SERIAL } from "../../image/tools.js";
import { deviceOf, isRouter } from "../../plan/devices/index.js";
import type { VmNodePlan } from "../../plan/types.js";
import { shellQuote } from "../../shell.js";
import { nodeScript } from "../iproute2.js";
import { routerFileTexts } from "../router-files.js";

/** What every VM of wirelab's image reads at boot (`etc/wirelab/guest.env`): where its tools disk is. */
export function guestEnv(): string {
  return `WL_TOOLS=1\nWL_TOOLS_SERIAL=${TOOLS_DISK_SERIAL}\n`;
}

/**
 * The node's own configuration, as files under `etc/wirelab/`: hostname,
 * forwarding and whether it runs FRR (`node.env`), interface names by MAC
 * (`interfaces`), and the same `ip -batch` script a namespace node gets.
 */
export function guestConfig(node: VmNodePlan): Record<string, string> {
  return {
    "guest.env": guestEnv(),
    "node.env": `WL_HOSTNAME=${node.name}\nWL_FORWARDING=${node.forwarding ? 1 : 0}\nWL_FRR=${isRouter(node) ? 1 : 0}\n`,
    interfaces: `${[`${node.vm.managementMac} eth0`, ...node.interfaces.map((i) => `${i.mac} ${i.ifname}`)].join("\n")}\n`,
    // QEMU user networking: the guest is 10.0.2.15, the host 10.0.2.2.
    "node.batch": `${["link set eth0 up", "address add 10.0.2.15/24 dev eth0", ...nodeScript(node)].join("\n")}\n`,
  };
}

/** A node's files, by path under the guest's root, and the daemons a router must run. */
export interface NodeFiles {
  /** Relative path (`etc/wirelab/node.env`) → text. */
  readonly files: Readonly<Record<string, string>>;
  /** FRR daemons that must answer once the identity is applied (none for a host). */
  readonly daemons: readonly string[];
}

/**
 * Everything a VM node's guest is told about itself.
 *
 * @param hosts - the guest's /etc/hosts (the lab's, `plan/hosts.ts`)
 * @throws {LabError} when a router's user files cannot be read
 */
export async function nodeFiles(node: VmNodePlan, hosts: string): Promise<NodeFiles> {
  const files: Record<string, string> = { "etc/hosts": hosts };
  for (const [name, text] of Object.entries(guestConfig(node))) files[`etc/wirelab/${name}`] = text;
  const device = deviceOf(node);
  const router = device.name === "frr" ? await routerFileTexts(node.name, device) : undefined;
  for (const [name, text] of Object.entries(router?.files ?? {}))
    files[`etc/wirelab/frr/${name}`] = text;
  return { files, daemons: router?.daemons ?? [] };
}

/**
 * The MAC of a VM's `index`-th NIC in a snapshot's guest (0: management,
 * then the lab NICs): node index 0 in `plan/mac.ts`'s layout, which no
 * plan gives, so a restored NIC is never mistaken for a planned one.
 */
export function snapshotMac(index: number): string {
  const b = [0x0a, 0x77, 0x6c, 0x00, (index >> 8) & 0x0f, index & 0xff];
  return b.map((x) => x.toString(16).padStart(2, "0")).join(":");
}

/** Where a restored guest's helpers wait (`guest/restore-wait`, run before the snapshot was saved). */
const RESTORE_DIR = "/run/wirelab-restore";

/** What a restore script needs besides the node's files. */
export interface RestoreInputs {
  /** Random bytes from the host for the guest's input pool (32 or more). */
  readonly seed: Buffer;
  /** The host's time when the script is sent, ns since the epoch. */
  readonly nowNs: bigint;
  /**
   * The NICs' MACs in the snapshot (`snapshotMac`), then the plan's, in NIC
   * order (management first); `renegotiate` for a NIC whose backend offers
   * more than the snapshot's did (a tap: offloads), which the guest's
   * driver then probes again.
   */
  readonly macs: readonly {
    readonly from: string;
    readonly to: string;
    readonly renegotiate?: boolean;
  }[];
}

/**
 * The one script a restored VM runs through its agent: random state and
 * clock first (before anything in the guest draws a random number: FRR's
 * daemons, TCP, IPv6), handed to the perl waiting in the guest
 * (`guest/restore-wait`), then the node's files, then `wirelab-identity`.
 * Nothing before the snapshot reads the kernel's boot_id, so each restored
 * guest makes its own on the first read.
 */
export function restoreScript(node: NodeFiles, inputs: RestoreInputs): string {
  const sec = inputs.nowNs / 1_000_000_000n;
  const nsec = inputs.nowNs % 1_000_000_000n;
  const lines = [
    "set -e",
    `[ -p ${RESTORE_DIR}/seed ] || { echo "this guest was not saved by wirelab (no ${RESTORE_DIR})" >&2; exit 1; }`,
    // The waiting perl reseeds the CRNG and sets the clock (guest/restore-wait).
    `printf '%s\\n' '${inputs.seed.toString("hex")} ${sec} ${nsec}' > ${RESTORE_DIR}/seed`,
    `read -r seeded < ${RESTORE_DIR}/seeded`,
    `[ "$seeded" = ok ] || { echo "$seeded" >&2; exit 1; }`,
  ];
  if (Object.keys(node.files).some((p) => p.startsWith("etc/wirelab/frr/")))
    lines.push("mkdir -p /etc/wirelab/frr");
  const files: Record<string, string> = {
    ...node.files,
    "etc/wirelab/macs": `${inputs.macs.map((m) => `${m.from} ${m.to}${m.renegotiate ? " renegotiate" : ""}`).join("\n")}\n`,
  };
  // printf is the shell's own: no process per file (each costs tens of ms under TCG).
  for (const [path, text] of Object.entries(files))
    lines.push(`printf '%s' ${shellQuote(text)} > ${shellQuote(`/${path}`)}`);
  lines.push("exec /bin/wirelab-identity");
  return `${lines.join("\n")}\n`;
}
