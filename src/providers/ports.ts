/**
 * Allocating a lab's ports on 127.0.0.1, lab-wide: every request of every
 * provider, from one range (`$WIRELAB_PORTS`, default 20000-39999), never a
 * port another lab holds, each checked free by binding it.
 */
import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { WirelabError } from "../errors.js";
import { fnv1a } from "../plan/mac.js";
import type { LabPorts, PortRequest } from "../plan/ports.js";

/** The default range, inclusive. */
export const DEFAULT_PORT_RANGE: readonly [number, number] = [20000, 39999];

/**
 * The configured range, inclusive.
 *
 * @throws {WirelabError} when `$WIRELAB_PORTS` is set but not `LOW-HIGH` within 1024-65535
 */
export function portRange(env: NodeJS.ProcessEnv = process.env): [number, number] {
  const text = env.WIRELAB_PORTS;
  if (text === undefined || text === "") return [...DEFAULT_PORT_RANGE];
  const m = /^(\d+)-(\d+)$/.exec(text);
  const lo = Number(m?.[1]);
  const hi = Number(m?.[2]);
  if (!m || !(lo >= 1024 && hi <= 65535 && lo < hi))
    throw new WirelabError(
      `WIRELAB_PORTS is "${text}"; write LOW-HIGH within 1024-65535, e.g. 20000-39999`,
    );
  return [lo, hi];
}

/** Allocates ports: `(lab, requests, taken) → ports`. */
export type PortAllocator = (
  lab: string,
  requests: readonly PortRequest[],
  taken: ReadonlySet<number>,
) => Promise<LabPorts>;

/**
 * Allocates every port a lab needs, starting where the lab's name hashes
 * to, so labs rarely probe the same ports.
 *
 * @param taken - ports other labs hold
 * @throws {WirelabError} when the range has too few free ports
 */
export const allocatePorts: PortAllocator = async (lab, requests, taken) => {
  const [lo, hi] = portRange();
  const span = hi - lo + 1;
  let cursor = fnv1a(lab) % span;
  let tried = 0;
  const mine = new Set<number>();
  const next = async (protocol: "udp" | "tcp"): Promise<number> => {
    while (tried++ < span) {
      const port = lo + (cursor++ % span);
      if (taken.has(port) || mine.has(port)) continue;
      if (await isFree(port, protocol)) {
        mine.add(port);
        return port;
      }
    }
    throw new WirelabError(
      `no free port left in ${lo}-${hi} for lab "${lab}"; widen WIRELAB_PORTS`,
    );
  };
  const udp: Record<string, number> = {};
  const tcp: Record<string, number> = {};
  for (const r of requests) (r.protocol === "udp" ? udp : tcp)[r.key] = await next(r.protocol);
  return { udp, tcp };
};

function isFree(port: number, protocol: "udp" | "tcp"): Promise<boolean> {
  return new Promise((resolve) => {
    if (protocol === "udp") {
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
