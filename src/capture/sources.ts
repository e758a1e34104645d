/**
 * Where an interface's frames can be watched, and how: one tcpdump per
 * direction (`-Q in`, `-Q out`), so every frame keeps its direction on every
 * link type. A namespace interface is captured inside its namespace; a VM's
 * tap in the host namespace (frames entering the tap come from the guest);
 * a VM's UDP tunnel on loopback, split by the VM's own port and decapsulated.
 */
import { isWireLink } from "../plan/links.js";
import type { LabPlan, NodePlan } from "../plan/types.js";
import { type LabPorts, udpKey } from "../providers/qemu/ports.js";
import type { Direction } from "./pcapng.js";

/** One tcpdump and what its frames are. */
export interface CaptureSource {
  /** Program and arguments; writes pcap to stdout. */
  readonly argv: readonly string[];
  /** Direction of its frames, as seen from the captured interface. */
  readonly direction: Direction;
  /**
   * Its packets are QEMU UDP tunnel datagrams: take the inner frame. `port`
   * is the VM's own: datagrams from it are outbound, to it inbound.
   */
  readonly decapsulate: boolean;
  readonly port?: number;
  /** The filter is applied by wirelab to the frames (tunnels, the daemon), not by the capturing tcpdump. */
  readonly filterFrames?: boolean;
  /**
   * Frames come from the wire daemon's control socket instead of a tcpdump
   * (`argv` is empty): one port (both ways) or the whole link (each frame once).
   */
  readonly wire?: { readonly control: string; readonly link: string; readonly port?: string };
}

/**
 * Snapshot length of a UDP tunnel capture on loopback, in bytes: a 9216-byte
 * jumbo inner frame plus the outer Ethernet, IPv6 and UDP headers. With
 * `--immediate-mode` libpcap gives every packet a ring slot of the snapshot
 * length (capped by the device MTU, 65536 on loopback), so the default 256
 * KiB would fit only ~250 packets in the ring and drop at 30,000 frames/s.
 * Longer inner frames are kept, cut short, with their length on the wire.
 */
export const TUNNEL_SNAPLEN = 9216 + 14 + 40 + 8;

/** Kernel capture buffer of one tcpdump, in KiB (`-B`): ~7,000 tunnel packets, 100 ms at 70,000 frames/s. */
export const CAPTURE_BUFFER_KIB = 65536;

/** tcpdump writing pcap to stdout at once (`--immediate-mode`: no 100-300 ms batches). */
function tcpdump(
  iface: string,
  dir: "in" | "out" | undefined,
  filter: readonly string[],
  snaplen = 262144,
): string[] {
  return [
    "tcpdump",
    "-i",
    iface,
    ...(dir ? ["-Q", dir] : []),
    "-U",
    "--immediate-mode",
    // The kernel buffer absorbs bursts while the reader catches up.
    "-B",
    String(CAPTURE_BUFFER_KIB),
    "-s",
    String(snaplen),
    "-w",
    "-",
    ...filter,
  ];
}

/**
 * @param filter - BPF filter words for the frames (applied by tcpdump where
 *   the frames are on a device; for UDP tunnels the caller filters inner frames)
 * @throws {Error} when the node has no such interface or the lab no such wire
 */
export function captureSources(
  plan: LabPlan,
  node: NodePlan,
  ifname: string,
  ports: LabPorts | undefined,
  filter: readonly string[],
  wireControl?: string,
): CaptureSource[] {
  const iface = node.interfaces.find((i) => i.name === ifname);
  if (!iface)
    throw new Error(
      `node "${node.name}" has no interface "${ifname}" (it has: ${node.interfaces.map((i) => i.name).join(", ")})`,
    );
  if (node.namespace) {
    const ns = ["ip", "netns", "exec", node.namespace];
    return [
      { argv: [...ns, ...tcpdump(ifname, "in", filter)], direction: "inbound", decapsulate: false },
      {
        argv: [...ns, ...tcpdump(ifname, "out", filter)],
        direction: "outbound",
        decapsulate: false,
      },
    ];
  }
  const link = plan.links.find((l) => l.name === iface.link);
  if (!link) throw new Error(`link "${iface.link}" is not in the plan`);
  if (link.transport === "udp") {
    const port = ports?.udp[udpKey(link.name, node.name, ifname)];
    if (port === undefined) throw new Error(`no UDP port is recorded for ${node.name}:${ifname}`);
    // One tcpdump for both directions: the port tells them apart, and nothing needs merging.
    const argv = tcpdump("lo", undefined, ["udp", "and", "port", String(port)], TUNNEL_SNAPLEN);
    return [{ argv, direction: "unknown", decapsulate: true, port, filterFrames: true }];
  }
  if (isWireLink(link)) {
    if (!wireControl) throw new Error(`the wire daemon's control socket is unknown`);
    const wire = { control: wireControl, link: link.name, port: `${node.name}:${ifname}` };
    return [{ argv: [], direction: "unknown", decapsulate: false, filterFrames: true, wire }];
  }
  const end = (link.endpoints as readonly { node: string; interface: string; tap?: string }[]).find(
    (e) => e.node === node.name && e.interface === ifname,
  );
  if (!end?.tap) throw new Error(`no tap carries ${node.name}:${ifname}`);
  // The host receives on the tap what the guest sends.
  return [
    { argv: tcpdump(end.tap, "in", filter), direction: "outbound", decapsulate: false },
    { argv: tcpdump(end.tap, "out", filter), direction: "inbound", decapsulate: false },
  ];
}

/**
 * Capture sources of a whole link: a LAN's bridge in the lab namespace
 * (every frame of the segment passes it), or one end of a p2p link (which
 * sees both directions).
 *
 * @returns the sources and the name to show (`LINK`, or `NODE:IFACE` of the end used)
 * @throws {Error} when there is no such link
 */
export function linkCaptureSources(
  plan: LabPlan,
  linkName: string,
  ports: LabPorts | undefined,
  filter: readonly string[],
  wireControl?: string,
): { name: string; sources: CaptureSource[] } {
  const link = plan.links.find((l) => l.name === linkName);
  if (!link)
    throw new Error(
      `lab "${plan.lab}" has no link "${linkName}" (links are: ${plan.links.map((l) => l.name).join(", ")})`,
    );
  if (link.transport === "bridge") {
    const argv = [
      "ip",
      "netns",
      "exec",
      link.namespace,
      ...tcpdump(link.bridge, undefined, filter),
    ];
    return { name: link.name, sources: [{ argv, direction: "unknown", decapsulate: false }] };
  }
  if (isWireLink(link)) {
    if (!wireControl) throw new Error(`the wire daemon's control socket is unknown`);
    const wire = { control: wireControl, link: link.name };
    return {
      name: link.name,
      sources: [{ argv: [], direction: "unknown", decapsulate: false, filterFrames: true, wire }],
    };
  }
  const end = link.endpoints[0];
  const node = plan.nodes.find((n) => n.name === end.node) as NodePlan;
  return {
    name: `${end.node}:${end.interface}`,
    sources: captureSources(plan, node, end.interface, ports, filter, wireControl),
  };
}
