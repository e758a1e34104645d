/**
 * `bridge`: a LAN on a Linux bridge in the lab's own namespace (never the
 * host's). A namespace node's interface is a vEth whose other end is a port
 * of the bridge; a VM's tap is joined by tc mirred to the host end of a
 * vEth whose other end is the port. The bridge forwards LLDP
 * (group_fwd_mask), not STP or LACP (the kernel refuses those bits).
 */
import { hostDeviceKey } from "../sticky.js";
import type { BridgeLinkPlan } from "../types.js";
import { deviceSide, endOf, nodeEnd } from "./common.js";
import type { KernelObject, Transport } from "./types.js";

/** The `bridge` transport. */
export const bridge: Transport<BridgeLinkPlan> = {
  name: "bridge",
  daemon: false,
  needsLabNamespace: true,
  // Taken before any port is named, so no port takes a bridge's name.
  labName: (input) => ({ preferred: input.name, fallback: `br${input.index + 1}` }),
  build: (input, ctx) => {
    const name = input.labName as string;
    return {
      name: input.name,
      type: input.type,
      transport: "bridge",
      subnets: input.subnets,
      namespace: ctx.labNamespace,
      bridge: name,
      endpoints: input.endpoints.map((e, k) => ({
        ...e,
        port: ctx.labNames.take(`${e.node}-${e.ifname}`, `l${input.index + 1}p${k + 1}`),
        ...(ctx.attaches(e.node) === "hypervisor"
          ? {
              tap: ctx.hostNames.tap(hostDeviceKey("tap", input.name, "bridge", e.node, e.ifname)),
              hostVeth: ctx.hostNames.veth(
                hostDeviceKey("veth", input.name, "bridge", e.node, e.ifname),
              ),
            }
          : {}),
      })),
    };
  },
  kernelObjects: (link, view) => [
    {
      type: "bridge",
      namespace: link.namespace,
      name: link.bridge,
      ports: link.endpoints.map((e) => e.port),
    },
    ...link.endpoints.flatMap((e): KernelObject[] =>
      e.tap && e.hostVeth
        ? [
            { type: "tap", name: e.tap },
            {
              type: "veth",
              ends: [{ ifname: e.hostVeth }, { ifname: e.port, namespace: link.namespace }],
            },
          ]
        : [
            {
              type: "veth",
              ends: [nodeEnd(e, view), { ifname: e.port, namespace: link.namespace }],
            },
          ],
    ),
  ],
  mirredPairs: (link) =>
    link.endpoints.flatMap((p) => (p.tap && p.hostVeth ? [[p.tap, p.hostVeth] as const] : [])),
  ports: () => [],
  nicBackend: (link, ep) => {
    const p = endOf(link, ep);
    if (!p.tap) throw new Error(`${ep.node}:${ep.ifname} on ${link.name} has no tap`);
    return { type: "tap", device: p.tap };
  },
  hostCapture: (link, ep) => {
    const p = endOf(link, ep);
    if (!p.tap) throw new Error(`${ep.node}:${ep.ifname} on ${link.name} has no tap`);
    return { type: "device", device: p.tap, reversed: true };
  },
  // Every frame of the segment passes the bridge.
  linkCapture: (link) => ({
    type: "device",
    device: link.bridge,
    namespace: link.namespace,
    segment: true,
  }),
  // One port: a VM's at its QEMU netdev, a namespace node's at both ends of its vEth.
  splice: (link, ep, view) => {
    const p = endOf(link, ep);
    const name = `${link.name}/${ep.node}:${ep.ifname}`;
    const lan = { name: link.name };
    return p.tap
      ? {
          name,
          link: link.name,
          ports: [
            {
              name: `${ep.node}:${ep.ifname}`,
              side: { type: "guest", node: ep.node, ifname: ep.ifname },
            },
            { ...lan, side: { type: "network", node: ep.node, ifname: ep.ifname } },
          ],
        }
      : {
          name,
          link: link.name,
          ports: [
            deviceSide(ep, view),
            { ...lan, side: { type: "device", namespace: link.namespace, device: p.port } },
          ],
        };
  },
  endpointObjects: (link, ep) => {
    const p = endOf(link, ep);
    return [
      `port ${p.port}`,
      ...(p.tap ? [`tap ${p.tap}`] : []),
      ...(p.hostVeth ? [`veth ${p.hostVeth}`] : []),
    ];
  },
  label: (link) => `bridge ${link.bridge}`,
};
