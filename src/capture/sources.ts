/**
 * How to watch a capture point (`plan/transports`): one tcpdump on a device,
 * every frame whole and in order, with a second on the `any` device for the
 * direction of each (see `direction.ts`); one tcpdump on loopback for a QEMU
 * UDP tunnel, its datagrams split by the VM's own port and decapsulated; the
 * wire daemon's own copy for the links it carries. Every capture point has
 * one ordered source of frames.
 */
import { type LabPorts, portNumber } from "../plan/ports.js";
import type { CapturePoint } from "../plan/transports/types.js";
import type { Direction } from "./pcapng.js";

/** One tcpdump (or the daemon) and what its frames are. */
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
  /**
   * The tcpdump that tells each frame's direction (LINUX_SLL2 headers of the
   * device's packets, by ifindex); `reversed` when the device is a VM's tap.
   */
  readonly directions?: { readonly argv: readonly string[]; readonly reversed: boolean };
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

/** Snapshot length of a device capture, in bytes: tcpdump's default (262144). */
export const DEVICE_SNAPLEN = 262144;

/** Kernel capture buffer of one tcpdump, in KiB (`-B`): ~7,000 tunnel packets, 100 ms at 70,000 frames/s. */
export const CAPTURE_BUFFER_KIB = 65536;

/**
 * tcpdump writing pcap to stdout at once (`--immediate-mode`: no 100-300 ms
 * batches), with nanosecond timestamps.
 */
function tcpdump(
  device: string,
  filter: readonly string[],
  snaplen = DEVICE_SNAPLEN,
  linkType: readonly string[] = [],
): string[] {
  return [
    "tcpdump",
    "-i",
    device,
    ...linkType,
    "--nano",
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
 * The packet types of one device, from the `any` device: LINUX_SLL2
 * headers only (tcpdump raises the snapshot length to the header's 20
 * bytes and one more), filtered by the device's ifindex in the kernel.
 */
function directionsOf(ifindex: number): string[] {
  return tcpdump("any", ["ifindex", String(ifindex)], 1, ["-y", "LINUX_SLL2"]);
}

/** Where a lab's wire daemon can be asked for frames, and the watched device's index. */
export interface CaptureContext {
  readonly ports: LabPorts;
  /** The daemon's control socket. */
  readonly wireControl: string;
  /** Interface index of a `device` point's device, in its namespace. */
  readonly ifindex?: number;
}

/**
 * @param filter - BPF filter words for the frames (applied by tcpdump where
 *   the frames are on a device; for tunnels and the daemon the capture
 *   filters the frames itself)
 * @throws {Error} when a tunnel's port is not recorded
 */
export function captureSources(
  point: CapturePoint,
  filter: readonly string[],
  ctx: CaptureContext,
): CaptureSource[] {
  switch (point.type) {
    case "device": {
      const inNs = point.namespace ? ["ip", "netns", "exec", point.namespace] : [];
      const argv = [...inNs, ...tcpdump(point.device, filter)];
      // A segment's frames pass a bridge both ways: no direction to tell.
      if (point.segment || ctx.ifindex === undefined)
        return [{ argv, direction: "unknown", decapsulate: false }];
      const directions = {
        argv: [...inNs, ...directionsOf(ctx.ifindex)],
        // On a VM's tap what comes in, the guest sent.
        reversed: point.reversed ?? false,
      };
      return [{ argv, direction: "unknown", decapsulate: false, directions }];
    }
    case "tunnel": {
      const port = portNumber(ctx.ports, "udp", point.port);
      // One tcpdump for both directions: the port tells them apart, and nothing needs merging.
      const argv = tcpdump("lo", ["udp", "and", "port", String(port)], TUNNEL_SNAPLEN);
      return [{ argv, direction: "unknown", decapsulate: true, port, filterFrames: true }];
    }
    case "daemon": {
      const wire = {
        control: ctx.wireControl,
        link: point.link,
        ...(point.port !== undefined ? { port: point.port } : {}),
      };
      return [{ argv: [], direction: "unknown", decapsulate: false, filterFrames: true, wire }];
    }
  }
}
