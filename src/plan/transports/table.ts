/**
 * The transport table: which transport may carry which link, and which one
 * a link gets when its file does not say. The one place both are decided
 * (docs/design.md, "Transports"). Rows are in order of precedence: a link
 * gets the first transport whose "default when" holds.
 *
 * | transport | carries | joins | wire daemon | default when |
 * |---|---|---|---|---|
 * | relay | p2p | any nodes | yes | `relay: true`, or an impaired p2p link |
 * | hub | p2p, LAN | any nodes | yes | a LAN of VMs only, or an impaired LAN |
 * | bridge | p2p, LAN | any nodes | no | any other LAN |
 * | veth | p2p | no VM | no | a p2p link without VMs |
 * | udp | p2p | two VMs | no | a p2p link of two VMs |
 * | tap | p2p | at least one VM | no | a p2p link of a VM and a namespace node |
 * | switch | p2p, LAN | any nodes | yes | never (written only) |
 *
 * Impairments are the wire daemon's, so an impaired link must be carried by
 * it; `relay: true` and a written `transport:` cannot be combined.
 */
import type { Diagnostic } from "../../errors.js";
import type { SourcePath, TopologyLink } from "../../topology/types.js";
import type { Attachment } from "../kinds/types.js";
import type { TransportName } from "../types.js";

/** What decides a link's transport. */
export interface LinkFacts {
  readonly type: "p2p" | "lan";
  readonly endpoints: number;
  /** Ends on nodes whose NICs are a hypervisor's (VMs). */
  readonly hypervisor: number;
  readonly impaired: boolean;
}

/** One row of the table. */
export interface TransportRow {
  readonly transport: TransportName;
  /** Link types it carries; a link of two nodes written with it gets the first. */
  readonly carries: readonly ("p2p" | "lan")[];
  /** Whether it can join these ends. */
  readonly joins: (f: LinkFacts) => boolean;
  /** Completes `transport "X" …` when it cannot. */
  readonly joinsText: string;
  /** Carried by the wire daemon (impairments, live link state, captures there). */
  readonly daemon: boolean;
  /** When a link that names no transport gets this one. */
  readonly defaultWhen: (f: LinkFacts) => boolean;
}

/** The table, in order of precedence for defaults. */
export const TRANSPORT_TABLE: readonly TransportRow[] = [
  {
    transport: "relay",
    carries: ["p2p"],
    joins: () => true,
    joinsText: "carries a p2p link through the wire daemon",
    daemon: true,
    defaultWhen: (f) => f.type === "p2p" && f.impaired,
  },
  {
    transport: "hub",
    carries: ["lan", "p2p"],
    joins: () => true,
    joinsText: "joins any nodes",
    daemon: true,
    // A bridge would swallow LLDP and BPDUs between VMs; the hub passes every frame.
    defaultWhen: (f) => f.type === "lan" && (f.impaired || f.hypervisor === f.endpoints),
  },
  {
    transport: "bridge",
    carries: ["lan", "p2p"],
    joins: () => true,
    joinsText: "joins any nodes",
    daemon: false,
    defaultWhen: (f) => f.type === "lan",
  },
  {
    transport: "veth",
    carries: ["p2p"],
    joins: (f) => f.hypervisor === 0,
    joinsText: "cannot reach a VM node",
    daemon: false,
    defaultWhen: (f) => f.type === "p2p" && f.hypervisor === 0,
  },
  {
    transport: "udp",
    carries: ["p2p"],
    joins: (f) => f.endpoints === 2 && f.hypervisor === 2,
    joinsText: "(a QEMU UDP tunnel) joins exactly two VMs",
    daemon: false,
    defaultWhen: (f) => f.type === "p2p" && f.hypervisor === 2,
  },
  {
    transport: "tap",
    carries: ["p2p"],
    joins: (f) => f.hypervisor >= 1,
    joinsText: "joins two nodes of which at least one is a VM",
    daemon: false,
    defaultWhen: (f) => f.type === "p2p",
  },
  {
    transport: "switch",
    carries: ["lan", "p2p"],
    joins: () => true,
    joinsText: "joins any nodes",
    daemon: true,
    defaultWhen: () => false,
  },
];

const ROWS = new Map(TRANSPORT_TABLE.map((r) => [r.transport, r]));

/** The row of a transport. */
export function transportRow(name: TransportName): TransportRow {
  return ROWS.get(name) as TransportRow;
}

/** What the planner decided for one link. */
export interface ResolvedLink {
  readonly type: "p2p" | "lan";
  readonly transport: TransportName;
}

/**
 * Decides a link's type and transport. A link that cannot be carried as
 * written is reported, and gets the transport it would have by default, so
 * that planning goes on and finds every other problem in the same run.
 *
 * @param attaches - how each endpoint's node meets a wire (from its kind)
 * @param diagnostics - problems are appended here, at the key that causes them
 */
export function resolveTransport(
  link: TopologyLink,
  attaches: (node: string) => Attachment,
  diagnostics: Diagnostic[],
): ResolvedLink {
  const both = link.relay === true && link.transport !== undefined;
  if (both) {
    diagnostics.push({
      code: "bad-value",
      message: `"relay: true" and "transport: ${link.transport}" both say what carries the link; keep one (an impaired link is relayed by itself)`,
      path: [...link.path, "relay"],
    });
  }
  const written = both ? undefined : link.relay ? "relay" : link.transport;
  const row = written ? transportRow(written) : undefined;
  // A stub network (one node) is a LAN of one.
  const type =
    link.type === "stub"
      ? "lan"
      : (link.type ?? (link.endpoints.length !== 2 ? "lan" : (row?.carries[0] ?? "p2p")));
  const facts: LinkFacts = {
    type,
    endpoints: link.endpoints.length,
    hypervisor: link.endpoints.filter((e) => attaches(e.node) === "hypervisor").length,
    impaired: impairments(link).length > 0,
  };
  const byDefault = (): ResolvedLink => ({
    type,
    transport: (TRANSPORT_TABLE.find((r) => r.defaultWhen(facts)) ?? transportRow("bridge"))
      .transport,
  });
  if (!row) return byDefault();
  const where: SourcePath = [...link.path, link.relay ? "relay" : "transport"];
  const name = link.relay ? `"relay: true"` : `transport "${row.transport}"`;
  let ok = true;
  if (!row.carries.includes(type)) {
    diagnostics.push({
      code: "bad-value",
      message:
        type === "lan"
          ? `${name} carries p2p links only and this link is a LAN; use "bridge", or "hub"/"switch" for the wire daemon`
          : `${name} carries LANs only; make the link a LAN (type: lan)`,
      path: where,
    });
    ok = false;
  } else if (!row.joins(facts)) {
    diagnostics.push({ code: "bad-value", message: `${name} ${row.joinsText}`, path: where });
    ok = false;
  }
  if (!row.daemon) {
    for (const path of impairments(link)) {
      diagnostics.push({
        code: "unsupported",
        message: `impairments are applied by the wire daemon, which does not carry "transport: ${row.transport}"; remove the transport (an impaired link is relayed, an impaired LAN is a hub)`,
        path,
        atKey: true,
      });
      ok = false;
    }
  }
  return ok ? { type, transport: row.transport } : byDefault();
}

/** Where a link's impairments are written: on the link, and on each endpoint. */
function impairments(link: TopologyLink): SourcePath[] {
  return [
    ...(link.impair ? [[...link.path, "impair"]] : []),
    ...link.endpoints.flatMap((e) => (e.impair ? [[...e.path, "impair"]] : [])),
  ];
}
