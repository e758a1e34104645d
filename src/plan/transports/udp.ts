/**
 * `udp`: a QEMU UDP unicast tunnel between two VMs (QEMU docs, "-netdev
 * socket,udp=…,localaddr=…"): each end listens on its own port on
 * 127.0.0.1 and sends to the other's. Nothing in the kernel.
 */
import { udpKey } from "../ports.js";
import type { EndpointPlan, UdpLinkPlan } from "../types.js";
import { pair, spliceP2p } from "./common.js";
import type { Transport } from "./types.js";

const key = (link: UdpLinkPlan, ep: EndpointPlan) => udpKey(link.name, ep.node, ep.ifname);
const other = (link: UdpLinkPlan, ep: EndpointPlan) =>
  link.endpoints[0].node === ep.node && link.endpoints[0].ifname === ep.ifname
    ? link.endpoints[1]
    : link.endpoints[0];

/** The `udp` transport. */
export const udp: Transport<UdpLinkPlan> = {
  name: "udp",
  daemon: false,
  needsLabNamespace: false,
  build: (input) => ({
    name: input.name,
    type: "p2p",
    transport: "udp",
    subnets: input.subnets,
    endpoints: pair(input.endpoints),
  }),
  kernelObjects: () => [],
  mirredPairs: () => [],
  ports: (link) => link.endpoints.map((e) => ({ key: key(link, e), protocol: "udp" as const })),
  nicBackend: (link, ep) => ({
    type: "udp",
    localPort: key(link, ep),
    remotePort: key(link, other(link, ep)),
  }),
  // Both directions on loopback: the VM's own port tells them apart.
  hostCapture: (link, ep) => ({ type: "tunnel", port: key(link, ep) }),
  linkCapture: () => undefined,
  splice: (link, _ep, view) => spliceP2p(link, view),
  endpointObjects: () => [],
  label: () => "udp",
};
