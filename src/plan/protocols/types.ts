/**
 * What a node's routing protocols are, decided (netlab's data model after
 * its module transformations, in netlab's names, so that `validate`'s
 * expressions read them as netlab's do: `nodes.r1.ospf.router_id`,
 * `node.bgp.neighbors`). The FRR configuration is generated from these
 * (`plan/frr/`); nothing here is FRR's syntax.
 */

/** Address families in use. */
export interface AfPlan {
  readonly ipv4?: true;
  readonly ipv6?: true;
}

/** OSPF on one interface (netlab's `interfaces[].ospf`). */
export interface OspfInterfacePlan {
  /** Area, a dotted quad. */
  readonly area: string;
  readonly passive: boolean;
  readonly network_type?: "point-to-point" | "point-to-multipoint" | "broadcast" | "non-broadcast";
  readonly cost?: number;
  /** Hello and dead intervals, in seconds. */
  readonly timers?: { readonly hello?: number; readonly dead?: number };
  readonly priority?: number;
  readonly password?: string;
}

/** A node's OSPF (OSPFv2 for IPv4, OSPFv3 for IPv6). */
export interface OspfPlan {
  readonly router_id: string;
  readonly area: string;
  readonly af: AfPlan;
  readonly process: number;
  /** In Mbit/s. */
  readonly reference_bandwidth?: number;
  /** Originate a default route. */
  readonly default?: {
    readonly always?: boolean;
    readonly cost?: number;
    readonly type?: "e1" | "e2";
  };
  /** Protocols whose routes are redistributed into OSPF. */
  readonly import?: readonly string[];
  /** The loopback's OSPF (it is advertised, never passive in the protocol's sense). */
  readonly loopback?: { readonly area: string; readonly cost?: number };
}

/** IS-IS on one interface. */
export interface IsisInterfacePlan {
  readonly passive: boolean;
  readonly network_type?: "point-to-point";
  /** Circuit type. */
  readonly type?: "level-1" | "level-2" | "level-1-2";
  readonly metric?: number;
}

/** A node's IS-IS. */
export interface IsisPlan {
  readonly instance: string;
  readonly area: string;
  readonly system_id: string;
  /** NET: area, system ID, N-selector 00. */
  readonly net: string;
  readonly type: "level-1" | "level-2" | "level-1-2";
  readonly af: AfPlan;
  readonly import?: readonly string[];
}

/** One BGP neighbour (netlab's `bgp.neighbors[]`). */
export interface BgpNeighborPlan {
  readonly name: string;
  readonly as: number;
  readonly type: "ibgp" | "ebgp" | "localas_ibgp";
  /** The neighbour's address per family; `true`: over the interface's IPv6 link-local address. */
  readonly ipv4?: string | true;
  readonly ipv6?: string | true;
  /** Interface of an unnumbered (link-local) session. */
  readonly local_if?: string;
  /** IPv4 routes over an IPv6 session (RFC 8950). */
  readonly ipv4_rfc8950?: true;
  /** Interface the session's source address is on (the loopback, for IBGP). */
  readonly update_source?: string;
  /** `ebgp`: set next hop on routes from EBGP peers; `all`: on every route. */
  readonly next_hop_self?: "ebgp" | "all";
  readonly rr_client?: true;
  /** The neighbour is a route reflector. */
  readonly rr?: true;
  /** Address families the session carries. */
  readonly activate: AfPlan;
  readonly local_as?: number;
  readonly replace_global_as?: boolean;
  /** Index of the interface the session runs over (EBGP). */
  readonly ifindex?: number;
}

/** A node's BGP. */
export interface BgpPlan {
  readonly as: number;
  readonly router_id: string;
  readonly rr?: true;
  readonly rr_cluster_id?: string;
  readonly neighbors: readonly BgpNeighborPlan[];
  /** Families BGP runs. */
  readonly ipv4?: true;
  readonly ipv6?: true;
  /** Prefixes announced from connected interfaces (`network`), per family. */
  readonly advertise: { readonly ipv4: readonly string[]; readonly ipv6: readonly string[] };
  /** IPv4 prefixes announced and held by a discard route (netlab's `bgp.originate`). */
  readonly originate: readonly string[];
  /** Community kinds sent per session type. */
  readonly community: Readonly<Record<string, readonly string[]>>;
  readonly import?: readonly string[];
  readonly local_as?: number;
}

/** One static route of the routing module. */
export interface StaticRoutePlan {
  readonly family: "ipv4" | "ipv6";
  readonly prefix: string;
  /** An address (with the interface it is on when directly connected), or a discard. */
  readonly nexthop: { readonly via?: string; readonly dev?: string; readonly discard?: true };
}

/** A node's protocols, as netlab's model has them. */
export interface ProtocolsPlan {
  readonly ospf?: OspfPlan;
  readonly isis?: IsisPlan;
  readonly bgp?: BgpPlan;
  /** Static routes of the routing module (FRR's `ip route`; kernel routes on hosts). */
  readonly static?: readonly StaticRoutePlan[];
}
