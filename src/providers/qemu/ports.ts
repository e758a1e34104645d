/**
 * UDP tunnel and management ports on 127.0.0.1 for a lab's VMs: from a range
 * (`$WIRELAB_PORTS`, default 20000-39999), never one another lab holds, and
 * each checked free by binding it.
 */

import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { WirelabError } from "../../errors.js";
import { isWireLink } from "../../plan/links.js";
import { fnv1a } from "../../plan/mac.js";
import type { LabPlan } from "../../plan/types.js";

/**
 * Ports of one lab: `udp` by `link:node:interface` (a VM's end of a tunnel)
 * and `link:node:interface@wire` (the wire daemon's end for that VM), `ssh`
 * by VM node.
 */
export interface LabPorts {
  readonly udp: Readonly<Record<string, number>>;
  readonly ssh: Readonly<Record<string, number>>;
}

/** Key of one tunnel end in {@link LabPorts.udp}. */
export function udpKey(link: string, node: string, iface: string): string {
  return `${link}:${node}:${iface}`;
}

/** Key of the wire daemon's port for one VM NIC on a hub, switch or relayed link. */
export function wireKey(link: string, node: string, iface: string): string {
  return `${udpKey(link, node, iface)}@wire`;
}

/** The configured range, inclusive. */
export function portRange(): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(process.env.WIRELAB_PORTS ?? "");
  const lo = m ? Number(m[1]) : 20000;
  const hi = m ? Number(m[2]) : 39999;
  if (!(lo >= 1024 && hi <= 65535 && lo < hi))
    throw new WirelabError(`WIRELAB_PORTS must be LOW-HIGH within 1024-65535`);
  return [lo, hi];
}

/**
 * Allocates every port a lab's VMs need.
 *
 * @param taken - ports other labs hold
 * @throws {WirelabError} when the range has too few free ports
 */
export async function allocatePorts(plan: LabPlan, taken: ReadonlySet<number>): Promise<LabPorts> {
  const [lo, hi] = portRange();
  const span = hi - lo + 1;
  // Start where the lab's name hashes to, so labs rarely probe the same ports.
  let cursor = fnv1a(plan.lab) % span;
  let tried = 0;
  const mine = new Set<number>();
  const next = async (kind: "udp" | "tcp"): Promise<number> => {
    while (tried++ < span) {
      const port = lo + (cursor++ % span);
      if (taken.has(port) || mine.has(port)) continue;
      if (await isFree(port, kind)) {
        mine.add(port);
        return port;
      }
    }
    throw new WirelabError(
      `no free port left in ${lo}-${hi} for lab "${plan.lab}"; widen WIRELAB_PORTS`,
    );
  };
  const udp: Record<string, number> = {};
  for (const link of plan.links) {
    if (link.transport !== "udp" && !isWireLink(link)) continue;
    for (const e of link.endpoints as readonly {
      node: string;
      interface: string;
      hostVeth?: string;
    }[]) {
      // VM NICs on daemon links use unix stream sockets; namespace ends (socat) use UDP.
      if (link.transport !== "udp" && !e.hostVeth) continue;
      udp[udpKey(link.name, e.node, e.interface)] = await next("udp");
      if (link.transport !== "udp")
        udp[wireKey(link.name, e.node, e.interface)] = await next("udp");
    }
  }
  const ssh: Record<string, number> = {};
  for (const n of plan.nodes) if (n.vm) ssh[n.name] = await next("tcp");
  return { udp, ssh };
}

/** Every port a record of ports holds. */
export function portsOf(p: LabPorts | undefined): number[] {
  return p ? [...Object.values(p.udp), ...Object.values(p.ssh)] : [];
}

function isFree(port: number, kind: "udp" | "tcp"): Promise<boolean> {
  return new Promise((resolve) => {
    if (kind === "udp") {
      const s = createSocket("udp4");
      s.once("error", () => resolve(false));
      s.bind(port, "127.0.0.1", () => s.close(() => resolve(true)));
    } else {
      const s = createServer();
      s.once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    }
  });
}
