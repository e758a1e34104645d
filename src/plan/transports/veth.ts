/**
 * `veth`: a vEth pair whose two ends are the two namespace nodes'
 * interfaces, directly (no object in the host's namespace).
 */
import type { VethLinkPlan } from "../types.js";
import { nodeEnd, noVm, pair, spliceP2p } from "./common.js";
import type { Transport } from "./types.js";

/** The `veth` transport. */
export const veth: Transport<VethLinkPlan> = {
  name: "veth",
  daemon: false,
  needsLabNamespace: false,
  build: (input) => ({
    name: input.name,
    type: "p2p",
    transport: "veth",
    subnets: input.subnets,
    endpoints: pair(input.endpoints),
  }),
  kernelObjects: (link, view) => [
    { type: "veth", ends: [nodeEnd(link.endpoints[0], view), nodeEnd(link.endpoints[1], view)] },
  ],
  mirredPairs: () => [],
  ports: () => [],
  nicBackend: (_link, ep) => noVm("veth", ep),
  hostCapture: (_link, ep) => noVm("veth", ep),
  linkCapture: () => undefined,
  splice: (link, _ep, view) => spliceP2p(link, view),
  endpointObjects: () => [],
  label: () => "veth",
};
