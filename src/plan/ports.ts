/**
 * Ports on 127.0.0.1 a lab holds, by key. Transports and kinds say which
 * they need ({@link PortRequest}); `up` allocates them lab-wide, never one
 * another lab holds (`providers/ports.ts`), and records them with the lab.
 */

/** A port a lab needs. */
export interface PortRequest {
  /** Stable key, e.g. `link:node:ifname` (see the helpers below). */
  readonly key: string;
  readonly protocol: "udp" | "tcp";
}

/** The ports a lab holds, by protocol and key. */
export interface LabPorts {
  readonly udp: Readonly<Record<string, number>>;
  readonly tcp: Readonly<Record<string, number>>;
}

/** No ports. */
export const NO_PORTS: LabPorts = { udp: {}, tcp: {} };

/** One end of a QEMU UDP tunnel, or socat's end of a namespace interface on the wire daemon. */
export function udpKey(link: string, node: string, ifname: string): string {
  return `${link}:${node}:${ifname}`;
}

/** The wire daemon's port for a namespace interface on one of its links. */
export function wireKey(link: string, node: string, ifname: string): string {
  return `${udpKey(link, node, ifname)}@wire`;
}

/** A VM's SSH port (management `eth0` on QEMU user networking, forwarded from 127.0.0.1). */
export function sshKey(node: string): string {
  return `ssh:${node}`;
}

/**
 * The number of an allocated port.
 *
 * @throws {Error} when the lab holds no such port (a record that does not match its plan)
 */
export function portNumber(ports: LabPorts, protocol: "udp" | "tcp", key: string): number {
  const p = ports[protocol][key];
  if (p === undefined) throw new Error(`no ${protocol} port is recorded for ${key}`);
  return p;
}

/** Every port number a record holds. */
export function allPorts(ports: LabPorts | undefined): number[] {
  return ports ? [...Object.values(ports.udp), ...Object.values(ports.tcp)] : [];
}
