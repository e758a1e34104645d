/**
 * Every node's BGP (netlab docs, "BGP Configuration Module"; netlab's
 * `modules/bgp.py` for the rules):
 *
 * - IBGP between the loopbacks of an AS's nodes: a full mesh, or each
 *   client with the AS's route reflectors (`bgp.rr`, or `bgp.rr_list`),
 *   reflectors among themselves unless `rr_mesh: false`; next hop self on
 *   routes from EBGP peers (`next_hop_self`);
 * - EBGP over every link between nodes of different ASes (an interface's or
 *   node's `local_as` counts), unnumbered over IPv6 link-local addresses
 *   where both ends are (IPv4 routes with IPv6 next hops, RFC 8950);
 * - address families from the sessions (`sessions`, `activate` per family
 *   and session type), announcements: the loopback (`advertise_loopback`),
 *   stub networks (`advertise_roles`), `bgp.advertise` links and
 *   `bgp.originate` prefixes; communities sent per session type.
 */
import type { Diagnostic } from "../../errors.js";
import { networkOf, parseCidr, stripLength } from "../../ip.js";
import type { Topology } from "../../topology/types.js";
import { routerId } from "./igp.js";
import type { LabModel, ModelInterface, ModelNode } from "./model.js";
import { checkImport } from "./ospf.js";
import type { AfPlan, BgpNeighborPlan, BgpPlan } from "./types.js";

const SESSION_TYPES = ["ibgp", "ebgp", "localas_ibgp"] as const;
type SessionType = (typeof SESSION_TYPES)[number];

/** FRR's community kinds for netlab's keywords (netlab's devices/frr.yml, `bgp.community`). */
const FRR_COMMUNITY: Readonly<Record<string, readonly string[]>> = {
  standard: ["standard", "large"],
  large: ["large"],
  extended: ["extended"],
  "2octet": ["standard"],
};

/** BGP of every node that runs it, and the interfaces whose prefixes each announces. */
export interface BgpResults {
  readonly nodes: ReadonlyMap<string, BgpPlan>;
  /** Node → interface names whose prefix BGP announces. */
  readonly advertised: ReadonlyMap<string, ReadonlySet<string>>;
  /** Node → interfaces that need IPv6 on for an unnumbered session. */
  readonly needsIpv6: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * @param diagnostics - problems (no AS, mixed unnumbered ends) are appended here
 */
export function planBgp(
  topology: Topology,
  model: LabModel,
  diagnostics: Diagnostic[],
): BgpResults {
  const speakers = model.nodes.filter((n) => n.node.modules.includes("bgp"));
  const rrList = new Set(topology.bgp?.rr_list ?? []);
  const info = new Map<string, { as: number; rr: boolean; routerId: string }>();
  for (const n of speakers) {
    const b = n.node.bgp ?? {};
    if (b.as === undefined) {
      diagnostics.push({
        code: "bad-value",
        message: `"${n.node.name}" runs BGP but has no AS number; give it bgp.as (or set bgp.as for the topology)`,
        path: [...n.node.path, "module"],
      });
      continue;
    }
    const rid = routerId(topology, n, b.router_id);
    if (!rid) {
      diagnostics.push({
        code: "pool-exhausted",
        message: `no BGP router ID for "${n.node.name}": give it bgp.router_id`,
        path: n.node.path,
      });
      continue;
    }
    info.set(n.node.name, {
      as: b.as,
      rr: b.rr === true || rrList.has(n.node.name),
      routerId: rid,
    });
  }
  const clusters = clusterIds(speakers, info);
  const nodes = new Map<string, BgpPlan>();
  const advertised = new Map<string, Set<string>>();
  const needsIpv6 = new Map<string, Set<string>>();
  for (const n of speakers) {
    const me = info.get(n.node.name);
    if (!me) continue;
    const b = n.node.bgp ?? {};
    const sessions = perFamily(b.sessions);
    const neighbors: BgpNeighborPlan[] = [];
    // IBGP: the loopbacks of the AS's nodes (a mesh), or of its route reflectors.
    const peers = speakers.filter((p) => p !== n && info.get(p.node.name)?.as === me.as);
    const rrs = peers.filter((p) => info.get(p.node.name)?.rr);
    const meshOff = b.rr_mesh === false;
    const ibgpPeers =
      me.rr || rrs.length === 0
        ? peers.filter(
            (p) => !(me.rr && meshOff && info.get(p.node.name)?.rr && p.node.bgp?.rr_mesh !== true),
          )
        : rrs;
    for (const p of ibgpPeers) {
      const ngb = neighbor(p, info, "ibgp", sessions, p.loopback);
      if (!ngb) continue;
      neighbors.push({
        ...ngb,
        ...(n.loopback.ipv4 || n.loopback.ipv6 ? { update_source: "lo" } : {}),
        ...(b.next_hop_self !== false ? { next_hop_self: "ebgp" as const } : {}),
        ...(me.rr && !info.get(p.node.name)?.rr ? { rr_client: true as const } : {}),
      });
    }
    // EBGP: over each interface, to each neighbour in another AS (local-as counts).
    for (const i of n.interfaces) {
      if (i.endpoint.bgp === false || i.link.bgp === false) continue;
      if (!has(i, "ipv4") && !has(i, "ipv6")) continue;
      const localAs = (i.endpoint.bgp || undefined)?.local_as ?? b.local_as ?? me.as;
      for (const nb of i.neighbors) {
        if (!has(nb, "ipv4") && !has(nb, "ipv6")) continue;
        const peer = model.byName.get(nb.node) as ModelNode;
        const pi = info.get(nb.node);
        if (!peer.node.modules.includes("bgp") || !pi) continue;
        const peerLocalAs =
          (nb.endpoint.bgp || undefined)?.local_as ?? peer.node.bgp?.local_as ?? pi.as;
        if (me.as === pi.as && localAs === peerLocalAs) continue;
        const v4unnum = i.unnumbered?.ipv4 === true && nb.unnumbered?.ipv4 === true;
        const v6num =
          i.ipv6 !== undefined &&
          !i.unnumbered?.ipv6 &&
          nb.ipv6 !== undefined &&
          !nb.unnumbered?.ipv6;
        let v6lla = i.unnumbered?.ipv6 === true && nb.unnumbered?.ipv6 === true;
        if (i.unnumbered?.ipv4 && !v4unnum) {
          diagnostics.push({
            code: "bad-value",
            message: `no EBGP session between the unnumbered IPv4 interface ${i.ifname} of "${n.node.name}" and the numbered one of "${nb.node}"; make both ends unnumbered or numbered`,
            path: i.link.path,
          });
          continue;
        }
        if (i.unnumbered?.ipv6 && !v6lla) {
          diagnostics.push({
            code: "bad-value",
            message: `no EBGP session between the link-local-only IPv6 interface ${i.ifname} of "${n.node.name}" and the numbered one of "${nb.node}"`,
            path: i.link.path,
          });
          continue;
        }
        if (v4unnum && !v6num) {
          v6lla = true; // IPv4 routes over a session on the IPv6 link-local addresses
          const set = needsIpv6.get(n.node.name) ?? new Set<string>();
          set.add(i.ifname);
          needsIpv6.set(n.node.name, set);
        }
        const type: SessionType = peerLocalAs === localAs ? "localas_ibgp" : "ebgp";
        const addrs: { ipv4?: string | true; ipv6?: string | true } = {};
        if (nb.unnumbered?.ipv4) addrs.ipv4 = true;
        else if (nb.ipv4) addrs.ipv4 = stripLength(nb.ipv4);
        if (nb.unnumbered?.ipv6 || (v6lla && !nb.ipv6)) addrs.ipv6 = true;
        else if (nb.ipv6) addrs.ipv6 = stripLength(nb.ipv6);
        const ngb = neighbor(peer, info, type, sessions, addrs);
        if (!ngb) continue;
        const localAsSetting = (i.endpoint.bgp || undefined)?.local_as ?? b.local_as;
        const replace = (i.endpoint.bgp || undefined)?.replace_global_as ?? b.replace_global_as;
        if (
          localAsSetting !== undefined &&
          localAsSetting === peerLocalAs &&
          localAsSetting !== me.as
        ) {
          // FRR 8.4's bgpd (Debian 12) refuses `neighbor … local-as` equal to the neighbour's AS.
          diagnostics.push({
            code: "unsupported",
            message: `"${n.node.name}" would present local AS ${localAsSetting} to "${nb.node}", which is in AS ${peerLocalAs}: a local-as IBGP session, which FRR 8.4 (Debian 12's) refuses ("AS specified for local as is the same as the remote as"); use another local AS`,
            path:
              (i.endpoint.bgp || undefined)?.local_as !== undefined
                ? [...i.endpoint.path, "bgp", "local_as"]
                : [...n.node.path, "bgp", "local_as"],
          });
          continue;
        }
        neighbors.push({
          ...ngb,
          as: peerLocalAs,
          ifindex: i.ifindex,
          ...(v6lla ? { local_if: i.ifname } : {}),
          ...(v4unnum ? { ipv4_rfc8950: true as const } : {}),
          ...(localAsSetting !== undefined ? { local_as: localAsSetting } : {}),
          ...(replace !== undefined ? { replace_global_as: replace } : {}),
          ...(type === "localas_ibgp"
            ? { rr_client: true as const, next_hop_self: "all" as const }
            : {}),
        });
      }
    }
    // A router with a local-as IBGP session sets the next hop on every IBGP route.
    const finalNeighbors = neighbors.some((x) => x.type === "localas_ibgp")
      ? neighbors.map((x) => (x.type === "ibgp" ? { ...x, next_hop_self: "all" as const } : x))
      : neighbors;
    const families: { ipv4?: true; ipv6?: true } = {};
    for (const af of ["ipv4", "ipv6"] as const)
      if (finalNeighbors.some((x) => x[af] !== undefined)) families[af] = true;
    const activate = perFamily(b.activate);
    const withActivate = finalNeighbors.map((x) => {
      const act: { ipv4?: true; ipv6?: true } = {};
      for (const af of ["ipv4", "ipv6"] as const)
        if (x[af] !== undefined && families[af] && activate[af].includes(x.type)) act[af] = true;
      // RFC 8950: IPv4 routes over the IPv6 link-local session.
      if (x.ipv4_rfc8950 && families.ipv4 === undefined) families.ipv4 = true;
      if (x.ipv4_rfc8950 && activate.ipv4.includes(x.type)) act.ipv4 = true;
      return { ...x, activate: act };
    });
    const adv = advertise(topology, model, n, b.advertise_loopback !== false);
    advertised.set(n.node.name, adv.interfaces);
    const originate = (b.originate ?? []).map((p) =>
      networkOf(parseCidr(p) as NonNullable<ReturnType<typeof parseCidr>>),
    );
    if (originate.length) families.ipv4 = true;
    for (const af of ["ipv4", "ipv6"] as const)
      if (adv.prefixes[af].length && !families[af]) families[af] = true;
    const imported = checkImport(n.node, "bgp", b.import, diagnostics);
    nodes.set(n.node.name, {
      as: me.as,
      router_id: me.routerId,
      ...(me.rr ? { rr: true as const } : {}),
      ...(me.rr ? { rr_cluster_id: b.rr_cluster_id ?? (clusters.get(me.as) as string) } : {}),
      neighbors: withActivate,
      ...families,
      advertise: adv.prefixes,
      originate,
      community: communities(b.community),
      ...(imported.length ? { import: imported } : {}),
      ...(b.local_as !== undefined ? { local_as: b.local_as } : {}),
    });
  }
  return { nodes, advertised, needsIpv6 };
}

const has = (
  i: { ipv4?: string; ipv6?: string; unnumbered?: { ipv4?: true; ipv6?: true } },
  af: "ipv4" | "ipv6",
) => i[af] !== undefined || i.unnumbered?.[af] === true;

/** Session types per family (`sessions`, `activate`): every type unless the node says. */
function perFamily(
  v:
    | { ipv4?: readonly string[] | true | undefined; ipv6?: readonly string[] | true | undefined }
    | undefined,
): Record<"ipv4" | "ipv6", readonly string[]> {
  const all = SESSION_TYPES as readonly string[];
  if (!v) return { ipv4: all, ipv6: all };
  const pick = (x: readonly string[] | true | undefined) => (x === true ? all : (x ?? []));
  return { ipv4: pick(v.ipv4), ipv6: pick(v.ipv6) };
}

/** A neighbour entry with the families its sessions carry (netlab's `bgp_neighbor`), or nothing when none. */
function neighbor(
  peer: ModelNode,
  info: ReadonlyMap<string, { as: number; rr: boolean }>,
  type: SessionType,
  sessions: Record<"ipv4" | "ipv6", readonly string[]>,
  addrs: { ipv4?: string | true; ipv6?: string | true },
): (Omit<BgpNeighborPlan, "activate"> & { activate: AfPlan }) | undefined {
  const p = info.get(peer.node.name) as { as: number; rr: boolean };
  const out: { ipv4?: string | true; ipv6?: string | true } = {};
  for (const af of ["ipv4", "ipv6"] as const) {
    const a = addrs[af];
    if (a === undefined || !sessions[af].includes(type)) continue;
    out[af] = a === true ? true : stripLength(a);
  }
  if (out.ipv4 === undefined && out.ipv6 === undefined) return undefined;
  return {
    name: peer.node.name,
    as: p.as,
    type,
    ...out,
    ...(p.rr && type === "ibgp" ? { rr: true as const } : {}),
    activate: {},
  };
}

/**
 * Route reflector cluster IDs per AS (netlab's `build_bgp_rr_clusters`): the
 * lowest router ID (as text, as netlab compares them) of the AS's route
 * reflectors that write none.
 */
function clusterIds(
  speakers: readonly ModelNode[],
  info: ReadonlyMap<string, { as: number; rr: boolean; routerId: string }>,
): Map<number, string> {
  const out = new Map<number, string>();
  for (const n of speakers) {
    const me = info.get(n.node.name);
    if (!me?.rr) continue;
    const candidates = speakers.filter((p) => {
      const x = info.get(p.node.name);
      return x?.rr && x.as === me.as && p.node.bgp?.rr_cluster_id === undefined;
    });
    const ids = candidates
      .map((p) => (info.get(p.node.name) as { routerId: string }).routerId)
      .sort();
    out.set(me.as, ids[0] ?? me.routerId);
  }
  return out;
}

/**
 * What a node announces from its interfaces (netlab's `bgp_set_advertise`):
 * its loopback (unless `advertise_loopback: false`), links whose type or
 * role is in `advertise_roles` (a `stub` role only when no router or BGP
 * speaker is on it), and links that say `bgp.advertise`.
 */
function advertise(
  topology: Topology,
  model: LabModel,
  n: ModelNode,
  loopback: boolean,
): { interfaces: Set<string>; prefixes: { ipv4: string[]; ipv6: string[] } } {
  const roles = topology.bgp?.advertise_roles ?? ["stub"];
  const interfaces = new Set<string>();
  const prefixes = { ipv4: [] as string[], ipv6: [] as string[] };
  const add = (i: { ipv4?: string; ipv6?: string; unnumbered?: { ipv4?: true; ipv6?: true } }) => {
    for (const af of ["ipv4", "ipv6"] as const) {
      const a = i[af];
      if (a && !i.unnumbered?.[af]) {
        const net = networkOf(parseCidr(a) as NonNullable<ReturnType<typeof parseCidr>>);
        if (!prefixes[af].includes(net)) prefixes[af].push(net);
      }
    }
  };
  if (loopback) add(n.loopback);
  for (const i of n.interfaces) {
    if (i.endpoint.bgp === false || i.link.bgp === false) continue;
    const written =
      (i.endpoint.bgp || undefined)?.advertise ?? (i.link.bgp || undefined)?.advertise;
    let on: boolean;
    if (written !== undefined) on = written;
    else if (
      roles.includes(i.fact.type) ||
      (i.fact.role !== undefined && roles.includes(i.fact.role))
    )
      on = i.fact.role !== "stub" || trueStub(model, i);
    else on = false;
    if (!on) continue;
    interfaces.add(i.ifname);
    add(i);
  }
  return { interfaces, prefixes };
}

/** A stub link with no router on it but this node (netlab's `is_true_stub` for BGP). */
function trueStub(model: LabModel, i: ModelInterface): boolean {
  return i.neighbors.every((nb) => model.byName.get(nb.node)?.node.role === "host");
}

/** Community kinds FRR sends per session type (netlab's `bgp.community`, FRR's keywords). */
function communities(
  v:
    | string
    | readonly string[]
    | { ibgp?: readonly string[] | undefined; ebgp?: readonly string[] | undefined }
    | undefined,
): Record<string, string[]> {
  const given =
    v === undefined
      ? { ibgp: ["standard", "extended"], ebgp: ["standard"] }
      : typeof v === "string"
        ? { ibgp: [v], ebgp: [v] }
        : Array.isArray(v)
          ? { ibgp: [...v], ebgp: [...v] }
          : (v as { ibgp?: readonly string[] | undefined; ebgp?: readonly string[] | undefined });
  const frr = (kinds: readonly string[] | undefined) => [
    ...new Set((kinds ?? []).flatMap((k) => FRR_COMMUNITY[k] ?? [])),
  ];
  const ibgp = frr(given.ibgp);
  return { ibgp, ebgp: frr(given.ebgp), localas_ibgp: ibgp };
}
