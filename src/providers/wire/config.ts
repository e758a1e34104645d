/**
 * The wire daemon's configuration made from a lab's plan, ports and files:
 * for each link it carries, each port's socket (a VM NIC's unix stream, or
 * the UDP port pair of a namespace interface's socat) and impairments.
 */

import { NO_IMPAIRMENT } from "../../impairment.js";
import { type LabPorts, portNumber, udpKey, wireKey } from "../../plan/ports.js";
import { carriedByDaemon } from "../../plan/transports/index.js";
import type { LabPlan, WireLinkPlan } from "../../plan/types.js";
import { PlanView } from "../../plan/view.js";
import type { WireConfig } from "../../wire/config.js";
import type { LabLayout } from "../layout.js";
import { type SpliceRecord, spliceWireConfig } from "./splice.js";

/** Links of a plan the wire daemon carries. */
export function daemonLinks(plan: LabPlan): WireLinkPlan[] {
  return plan.links.filter((l): l is WireLinkPlan => carriedByDaemon(l));
}

/** Whether namespace interfaces join the daemon (through socat). */
export function needsSocat(plan: LabPlan): boolean {
  return daemonLinks(plan).some((l) => l.endpoints.some((e) => e.hostVeth !== undefined));
}

/**
 * The daemon's configuration: the plan's daemon links, then the links
 * spliced onto it live.
 *
 * @throws {Error} when a port the lab should hold is missing
 */
export function wireConfig(
  plan: LabPlan,
  ports: LabPorts,
  layout: LabLayout,
  spliced: readonly SpliceRecord[] = [],
): WireConfig {
  const planned = plannedConfig(plan, ports, layout);
  const live = spliceWireConfig(spliced, plan, ports, layout);
  return {
    ...planned,
    attachments: [...planned.attachments, ...live.attachments],
    links: [...planned.links, ...live.links],
  };
}

function plannedConfig(plan: LabPlan, ports: LabPorts, layout: LabLayout): WireConfig {
  const view = new PlanView(plan);
  const udp = (key: string) => portNumber(ports, "udp", key);
  const links = daemonLinks(plan);
  return {
    lab: plan.lab,
    control: layout.wire.control,
    liveState: layout.wire.liveState,
    pidfile: layout.wire.pidfile,
    attachments: links.flatMap((l) =>
      l.endpoints.flatMap((e) =>
        e.hostVeth
          ? [
              {
                hostVeth: e.hostVeth,
                listen: udp(udpKey(l.name, e.node, e.ifname)),
                daemon: udp(wireKey(l.name, e.node, e.ifname)),
              },
            ]
          : [],
      ),
    ),
    links: links.map((l) => ({
      name: l.name,
      mode: l.transport,
      ports: l.endpoints.map((e) => ({
        name: `${e.node}:${e.ifname}`,
        ...(e.hostVeth
          ? {
              listen: udp(wireKey(l.name, e.node, e.ifname)),
              peer: udp(udpKey(l.name, e.node, e.ifname)),
            }
          : {
              stream: layout.nicSocket(e.node, view.ifIndex(e.node, e.ifname)),
              listen: 0,
              peer: 0,
            }),
        impair: e.impair ?? NO_IMPAIRMENT,
      })),
    })),
  };
}
