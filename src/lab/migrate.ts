/**
 * Records written by an older wirelab, made current, so that a lab brought
 * up before an upgrade can still be inspected and taken down.
 *
 * Version 1 (wirelab 0.1 before the provider redesign) differs in: the plan
 * (version 1) names interfaces `name` and endpoints' `interface`; what the
 * lab owns is in `namespaces`, `hostDevices` and `vms`; SSH ports are in
 * `ports.ssh` by node.
 */
import { sshKey } from "../plan/ports.js";
import { carriedByDaemon } from "../plan/transports/index.js";
import type { LabPlan } from "../plan/types.js";

type Json = Record<string, unknown>;

const rename = (o: unknown, from: string, to: string): unknown => {
  if (!o || typeof o !== "object" || !(from in o)) return o;
  const { [from]: value, ...rest } = o as Json;
  return { ...rest, [to]: value };
};
const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/**
 * @param raw - a parsed `state.json`
 * @returns the record in the current format (version 2); a current one as it is
 */
export function migrateRecord(raw: unknown): unknown {
  if (!raw || typeof raw !== "object") return raw;
  const r = raw as Json;
  if (r.version !== 1) return raw;
  const oldPlan = (r.plan ?? {}) as Json;
  const plan = {
    ...oldPlan,
    version: 2,
    nodes: list(oldPlan.nodes).map((n) => ({
      ...(n as Json),
      interfaces: list((n as Json).interfaces).map((i) => rename(i, "name", "ifname")),
    })),
    links: list(oldPlan.links).map((l) => ({
      ...(l as Json),
      endpoints: list((l as Json).endpoints).map((e) => rename(e, "interface", "ifname")),
    })),
  } as unknown as LabPlan;
  const ports = (r.ports ?? {}) as { udp?: Json; ssh?: Json };
  const daemon = plan.links.some((l) => carriedByDaemon(l));
  const { namespaces, hostDevices, vms, ...rest } = r;
  return {
    ...rest,
    version: 2,
    plan,
    ports: {
      udp: ports.udp ?? {},
      tcp: Object.fromEntries(Object.entries(ports.ssh ?? {}).map(([n, p]) => [sshKey(n), p])),
    },
    owned: [
      {
        provider: "netns",
        owned: { namespaces: list(namespaces), hostDevices: list(hostDevices) },
      },
      ...(daemon ? [{ provider: "wire", owned: { daemon: true } }] : []),
      ...(list(vms).length ? [{ provider: "qemu", owned: { vms: list(vms) } }] : []),
    ],
  };
}
