/**
 * `tap`: a p2p link with at least one VM end. Each VM NIC is a persistent
 * tap in the host's namespace; a namespace end is a vEth whose host end
 * stands in for it. The two host devices are joined by tc mirred redirects
 * both ways: every frame passes untouched (no bridge, so LLDP, LACP and
 * STP frames too).
 */
import { hostDeviceKey } from "../sticky.js";
import type { TapLinkPlan } from "../types.js";
import { endOf, hostVeth, noVm, pair, spliceP2p } from "./common.js";
import type { KernelObject, Transport } from "./types.js";

/** The `tap` transport. */
export const tap: Transport<TapLinkPlan> = {
  name: "tap",
  daemon: false,
  needsLabNamespace: false,
  build: (input, ctx) => ({
    name: input.name,
    type: "p2p",
    transport: "tap",
    subnets: input.subnets,
    endpoints: pair(
      input.endpoints.map((e) =>
        ctx.attaches(e.node) === "hypervisor"
          ? {
              ...e,
              tap: ctx.hostNames.tap(hostDeviceKey("tap", input.name, "tap", e.node, e.ifname)),
            }
          : {
              ...e,
              hostVeth: ctx.hostNames.veth(
                hostDeviceKey("veth", input.name, "tap", e.node, e.ifname),
              ),
            },
      ),
    ),
  }),
  kernelObjects: (link, view) =>
    link.endpoints.flatMap((e): KernelObject[] => [
      ...(e.tap ? [{ type: "tap" as const, name: e.tap }] : []),
      ...(e.hostVeth ? [hostVeth(e.hostVeth, e, view)] : []),
    ]),
  mirredPairs: (link) => {
    const [a, b] = link.endpoints;
    return [[(a.tap ?? a.hostVeth) as string, (b.tap ?? b.hostVeth) as string]];
  },
  ports: () => [],
  nicBackend: (link, ep) => {
    const e = endOf(link, ep);
    return e.tap ? { type: "tap", device: e.tap } : noVm("tap (namespace end)", ep);
  },
  hostCapture: (link, ep) => {
    const e = endOf(link, ep);
    // What enters the tap, the guest sent.
    return e.tap ? { type: "device", device: e.tap, reversed: true } : noVm("tap", ep);
  },
  linkCapture: () => undefined,
  splice: (link, _ep, view) => spliceP2p(link, view),
  carrierDevice: (link, ep) => endOf(link, ep).hostVeth,
  endpointObjects: (link, ep) => {
    const e = endOf(link, ep);
    return [...(e.tap ? [`tap ${e.tap}`] : []), ...(e.hostVeth ? [`veth ${e.hostVeth}`] : [])];
  },
  label: () => "tap",
};
