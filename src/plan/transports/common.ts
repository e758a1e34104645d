/**
 * Pieces several transports share: a node's interface as a vEth end, and
 * a vEth from the host's namespace to a node's interface.
 */
import type { EndpointPlan } from "../types.js";
import type { PlanView } from "../view.js";
import type { KernelObject, SplicePlan, SplicePort, VethEnd } from "./types.js";

/** A namespace node's interface as the end of a vEth pair, with its planned MAC. */
export function nodeEnd(ep: EndpointPlan, view: PlanView): VethEnd {
  const namespace = view.namespace(ep.node);
  return {
    ifname: ep.ifname,
    ...(namespace ? { namespace } : {}),
    mac: view.mac(ep.node, ep.ifname),
  };
}

/**
 * A vEth from the host's namespace (`hostVeth`) to a namespace node's
 * interface: how a tap (tc mirred) or socat (the wire daemon) reaches it.
 *
 * @param socat - socat reads the host end: the node's end completes its checksums in software
 */
export function hostVeth(
  hostVeth: string,
  ep: EndpointPlan,
  view: PlanView,
  socat = false,
): KernelObject {
  const node = nodeEnd(ep, view);
  return {
    type: "veth",
    ends: [{ ifname: hostVeth }, socat ? { ...node, checksum: "software" } : node],
  };
}

/**
 * The end of a link at a node's interface.
 * @throws {Error} when the link has no such end (a bug: callers pass its own ends)
 */
export function endOf<E extends EndpointPlan>(
  link: { readonly name: string; readonly endpoints: readonly E[] },
  ep: EndpointPlan,
): E {
  const e = link.endpoints.find((x) => x.node === ep.node && x.ifname === ep.ifname);
  if (!e) throw new Error(`link ${link.name} has no end ${ep.node}:${ep.ifname}`);
  return e;
}

/** The two ends of a p2p link, as a pair. */
export function pair<T>(list: readonly T[]): [T, T] {
  return [list[0] as T, list[1] as T];
}

/**
 * @throws {Error} always: a transport was asked for a VM NIC it cannot carry
 * (the table forbids such links, so this is a bug)
 */
export function noVm(transport: string, ep: EndpointPlan): never {
  throw new Error(`transport ${transport} cannot carry VM interface ${ep.node}:${ep.ifname}`);
}

/**
 * A p2p link spliced onto the wire daemon: at a VM end's QEMU netdev when
 * it has one (both ways there: only that VM is touched), else at both
 * namespace interfaces of the vEth.
 */
export function spliceP2p(
  link: { readonly name: string; readonly endpoints: readonly [EndpointPlan, EndpointPlan] },
  view: PlanView,
): SplicePlan {
  const [a, b] = link.endpoints;
  const name = (e: EndpointPlan) => `${e.node}:${e.ifname}`;
  const vm = [a, b].find((e) => view.namespace(e.node) === undefined);
  if (vm) {
    const other = vm === a ? b : a;
    return {
      name: link.name,
      link: link.name,
      ports: [
        { name: name(vm), side: { type: "guest", node: vm.node, ifname: vm.ifname } },
        { name: name(other), side: { type: "network", node: vm.node, ifname: vm.ifname } },
      ],
    };
  }
  return { name: link.name, link: link.name, ports: [deviceSide(a, view), deviceSide(b, view)] };
}

/** A namespace node's interface as a spliced port. */
export function deviceSide(e: EndpointPlan, view: PlanView): SplicePort {
  return {
    name: `${e.node}:${e.ifname}`,
    side: { type: "device", namespace: view.namespace(e.node) as string, device: e.ifname },
  };
}
