/**
 * Names and MACs a running lab keeps when its topology is edited. A plan
 * numbers host devices (`wl<tag>t<n>`, `wl<tag>v<n>`) in the order links
 * are written and derives MACs from node and interface positions, so
 * removing a node or link early in a file would rename or re-address what
 * follows it. Planned against the plan the lab runs (`PlanOptions.previous`),
 * every interface, tap and vEth host end that is still there keeps what it
 * has; only new ones get new names and MACs, never one a kept object holds.
 * Without a previous plan nothing changes: a file always gives the same plan.
 */
import { macAddress } from "./mac.js";
import { hostVethName, tapName } from "./names.js";
import type { LabPlan } from "./types.js";

/** Key of a host device: what it serves (`tap` or `veth`, link, transport, endpoint). */
export function hostDeviceKey(
  what: "tap" | "veth",
  link: string,
  transport: string,
  node: string,
  ifname: string,
): string {
  return `${what} ${link} ${transport} ${node}:${ifname}`;
}

const lanKey = (nodes: readonly string[]) => [...nodes].sort().join(" ");
const endpointKey = (link: string, node: string, k: number) => `${link} ${node} ${k}`;

/** What a lab's running plan holds, for the planner of its edited topology. */
export class Sticky {
  private readonly devices = new Map<string, string>();
  private readonly macs = new Map<string, string>();
  private readonly held = new Set<string>();
  private readonly usedMacs = new Set<string>();
  private readonly lans = new Map<string, string>();
  private readonly ifnames = new Map<string, string>();
  private readonly previous: LabPlan | undefined;

  /**
   * @param lab - the lab's name
   * @param previous - the plan the lab runs, if it runs
   * @param nodeCount - nodes in the new topology (fresh MACs that would clash take indices above it)
   */
  constructor(
    private readonly lab: string,
    previous: LabPlan | undefined,
    private readonly nodeCount: number,
  ) {
    this.previous = previous?.lab === lab ? previous : undefined;
    if (!this.previous) return;
    previous = this.previous;
    for (const l of previous.links) {
      if (l.type !== "p2p") this.lans.set(lanKey(l.endpoints.map((e) => e.node)), l.name);
      const seen = new Map<string, number>();
      for (const e of l.endpoints) {
        const k = (seen.get(e.node) ?? 0) + 1;
        seen.set(e.node, k);
        this.ifnames.set(endpointKey(l.name, e.node, k), e.ifname);
      }
    }
    for (const l of previous.links)
      for (const e of l.endpoints as readonly {
        node: string;
        ifname: string;
        tap?: string;
        hostVeth?: string;
      }[]) {
        if (e.tap)
          this.devices.set(hostDeviceKey("tap", l.name, l.transport, e.node, e.ifname), e.tap);
        if (e.hostVeth)
          this.devices.set(
            hostDeviceKey("veth", l.name, l.transport, e.node, e.ifname),
            e.hostVeth,
          );
      }
    for (const name of this.devices.values()) this.held.add(name);
  }

  /** The name an unnamed LAN of these nodes had, if the lab has one. */
  lanName(nodes: readonly string[]): string | undefined {
    return this.lans.get(lanKey(nodes));
  }

  /**
   * The interface name a link's endpoint had (`k`: the node's k-th endpoint on that link).
   */
  ifname(link: string, node: string, k: number): string | undefined {
    return this.ifnames.get(endpointKey(link, node, k));
  }

  /**
   * Marks the interfaces of the new topology (`node:ifname`) whose MACs
   * stay; call before the first {@link mac}.
   */
  keep(interfaces: ReadonlySet<string>): void {
    for (const n of this.previous?.nodes ?? []) {
      for (const i of n.interfaces) {
        const key = `${n.name}:${i.ifname}`;
        if (interfaces.has(key)) {
          this.macs.set(key, i.mac);
          this.usedMacs.add(i.mac);
        }
      }
      if (n.kind === "vm") {
        this.macs.set(`${n.name}:`, n.vm.managementMac);
        this.usedMacs.add(n.vm.managementMac);
      }
    }
  }

  /** The name a host device had, if the lab has it. */
  device(key: string): string | undefined {
    return this.devices.get(key);
  }

  /** Whether a name is held by a device of the running lab (a fresh name must not take it). */
  holds(name: string): boolean {
    return this.held.has(name);
  }

  /**
   * The MAC of an interface: the one it has in the running lab, else the
   * position's, else (when a kept interface holds that) one above every node's index.
   *
   * @param ifname - the interface, or undefined for a VM's management NIC
   */
  mac(node: string, ifname: string | undefined, nodeIndex: number, ifIndex: number): string {
    const kept = this.macs.get(`${node}:${ifname ?? ""}`);
    if (kept) return kept;
    let mac = macAddress(this.lab, nodeIndex, ifIndex);
    for (let k = this.nodeCount + 1; this.usedMacs.has(mac); k++)
      mac = macAddress(this.lab, k, ifIndex);
    this.usedMacs.add(mac);
    return mac;
  }
}

/** Numbers a lab's objects in the host namespace, keeping the names a running lab has. */
export class HostNames {
  private readonly counts = { tap: 0, veth: 0 };
  constructor(
    private readonly lab: string,
    private readonly sticky?: Sticky,
  ) {}
  /** The tap of `key` (see {@link hostDeviceKey}). */
  tap(key: string): string {
    return this.name("tap", key);
  }
  /** The vEth host end of `key` (see {@link hostDeviceKey}). */
  veth(key: string): string {
    return this.name("veth", key);
  }
  private name(what: "tap" | "veth", key: string): string {
    const kept = this.sticky?.device(key);
    if (kept) return kept;
    const make = what === "tap" ? tapName : hostVethName;
    let name = make(this.lab, ++this.counts[what]);
    while (this.sticky?.holds(name)) name = make(this.lab, ++this.counts[what]);
    return name;
  }
}
