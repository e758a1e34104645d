/**
 * `hub`, `switch` and `relay`: links the wire daemon carries (`src/wire/`).
 * A VM NIC is a unix stream socket QEMU listens on and the daemon connects
 * to; a namespace interface is a vEth whose host end socat joins to the
 * daemon (raw frames ↔ UDP on 127.0.0.1, two ports: socat's and the
 * daemon's). A `hub` passes every frame to every other port, a `switch`
 * learns MACs, a `relay` is a p2p link. Impairments, link down/up and
 * captures are the daemon's.
 */
import { type Impairment, isImpaired, NO_IMPAIRMENT, parseImpairment } from "../../impairment.js";
import type { TopologyLink } from "../../topology/types.js";
import { udpKey, wireKey } from "../ports.js";
import { hostDeviceKey } from "../sticky.js";
import type { EndpointPlan, WireLinkPlan } from "../types.js";
import { endOf, hostVeth } from "./common.js";
import type { KernelObject, Transport } from "./types.js";

/**
 * Impairments of the frames endpoint `e` sends: the link's, overridden key
 * by key by the endpoint's own. Values were checked with the topology.
 *
 * @returns undefined when nothing is impaired
 */
function endpointImpairment(link: TopologyLink, e: EndpointPlan): Impairment | undefined {
  const own = link.endpoints.find((x) => x.node === e.node)?.impair;
  const base = link.impair ? parseImpairment(link.impair) : NO_IMPAIRMENT;
  const merged = own && !Array.isArray(base) ? parseImpairment(own, base) : base;
  return Array.isArray(merged) || !isImpaired(merged) ? undefined : merged;
}

function daemonTransport<M extends WireLinkPlan["transport"]>(mode: M): Transport<WireLinkPlan> {
  return {
    name: mode,
    daemon: true,
    needsLabNamespace: false,
    build: (input, ctx) => ({
      name: input.name,
      type: input.type,
      transport: mode,
      subnets: input.subnets,
      endpoints: input.endpoints.map((e) => {
        const impair = endpointImpairment(input.link, e);
        return {
          ...e,
          ...(impair ? { impair } : {}),
          ...(ctx.attaches(e.node) === "namespace"
            ? {
                hostVeth: ctx.hostNames.veth(
                  hostDeviceKey("veth", input.name, mode, e.node, e.ifname),
                ),
              }
            : {}),
        };
      }),
    }),
    kernelObjects: (link, view) =>
      link.endpoints.flatMap((e): KernelObject[] =>
        e.hostVeth ? [hostVeth(e.hostVeth, e, view, true)] : [],
      ),
    mirredPairs: () => [],
    // socat's own port, then the daemon's, for each namespace interface.
    ports: (link) =>
      link.endpoints.flatMap((e) =>
        e.hostVeth
          ? [
              { key: udpKey(link.name, e.node, e.ifname), protocol: "udp" as const },
              { key: wireKey(link.name, e.node, e.ifname), protocol: "udp" as const },
            ]
          : [],
      ),
    nicBackend: () => ({ type: "stream" }),
    hostCapture: (link, ep) => ({
      type: "daemon",
      link: link.name,
      port: `${ep.node}:${ep.ifname}`,
    }),
    linkCapture: (link) => ({ type: "daemon", link: link.name }),
    carrierDevice: (link, ep) => endOf(link, ep).hostVeth,
    endpointObjects: (link, ep) => {
      const e = endOf(link, ep);
      return e.hostVeth ? [`veth ${e.hostVeth}`] : [];
    },
    label: () => mode,
  };
}

/** The wire daemon's hub: every frame to every other port. */
export const hub = daemonTransport("hub");
/** The wire daemon's learning switch. */
export const switchTransport = daemonTransport("switch");
/** The wire daemon's p2p relay. */
export const relay = daemonTransport("relay");
