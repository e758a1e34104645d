/**
 * Links spliced onto the wire daemon live, as the lab's record keeps them
 * (`LabState.spliced`), and what the daemon runs for them: a relay whose
 * ports are helper vEths (through socat) for namespace interfaces and
 * QEMU chardev pairs for VM NICs. The kernel and QEMU work is in
 * `netns/splice.ts` and `qemu/splice.ts`; `lab/splice.ts` orders it.
 */
import { NO_IMPAIRMENT } from "../../impairment.js";
import { type LabPorts, type PortRequest, portNumber } from "../../plan/ports.js";
import type { SplicePlan } from "../../plan/transports/types.js";
import type { LabPlan } from "../../plan/types.js";
import type { WireAttachment, WireLinkConfig } from "../../wire/config.js";
import type { LabLayout } from "../layout.js";
import { nicIndex } from "../qemu/args.js";

/** A spliced link (or LAN port) in the lab's record. */
export interface SpliceRecord extends SplicePlan {
  /**
   * The helper vEth of each `device` side, by port index (the same name at
   * both ends: in the interface's namespace and in the host's).
   */
  readonly helpers: readonly (string | null)[];
  /**
   * `splicing` until every frame goes through the daemon, `spliced`, then
   * `unsplicing` while it is moved back: an interrupted change is finished
   * (or undone) by the next `link` command on it, and removed by `down`.
   */
  readonly status: "splicing" | "spliced" | "unsplicing";
}

/** The key of socat's port for a spliced device side (the daemon's is `…@wire`). */
export function splicePortKey(segment: string, port: string): string {
  return `splice:${segment}:${port}`;
}

/** The ports a splice holds on 127.0.0.1: two per device side (socat's, the daemon's). */
export function splicePortRequests(plan: SplicePlan): PortRequest[] {
  return plan.ports.flatMap((p) =>
    p.side.type === "device"
      ? [
          { key: splicePortKey(plan.name, p.name), protocol: "udp" as const },
          { key: `${splicePortKey(plan.name, p.name)}@wire`, protocol: "udp" as const },
        ]
      : [],
  );
}

/** The unix sockets of a VM NIC's spliced side: where the daemon reads it, where it writes to it. */
export function nicStreams(
  layout: LabLayout,
  plan: LabPlan,
  side: { readonly type: "guest" | "network"; readonly node: string; readonly ifname: string },
): { from: string; to: string } {
  const node = plan.nodes.find((n) => n.name === side.node);
  if (!node) throw new Error(`spliced side of unknown node ${side.node}`);
  const i = nicIndex(node, side.ifname);
  return side.type === "guest"
    ? { from: layout.spliceSocket(side.node, i, "go"), to: layout.spliceSocket(side.node, i, "gi") }
    : {
        from: layout.spliceSocket(side.node, i, "no"),
        to: layout.spliceSocket(side.node, i, "ni"),
      };
}

/**
 * What the daemon runs for the spliced links: one relay each, and one socat
 * per helper vEth.
 *
 * @throws {Error} when a port the record should hold is missing
 */
export function spliceWireConfig(
  spliced: readonly SpliceRecord[],
  plan: LabPlan,
  ports: LabPorts,
  layout: LabLayout,
): { links: WireLinkConfig[]; attachments: WireAttachment[] } {
  const udp = (key: string) => portNumber(ports, "udp", key);
  const attachments: WireAttachment[] = [];
  const links = spliced.map((s) => ({
    name: s.name,
    mode: "relay" as const,
    ports: s.ports.map((p, i) => {
      if (p.side.type !== "device")
        return {
          name: p.name,
          streams: nicStreams(layout, plan, p.side),
          listen: 0,
          peer: 0,
          impair: NO_IMPAIRMENT,
        };
      const key = splicePortKey(s.name, p.name);
      const helper = s.helpers[i] as string;
      attachments.push({ hostVeth: helper, listen: udp(key), daemon: udp(`${key}@wire`) });
      return { name: p.name, listen: udp(`${key}@wire`), peer: udp(key), impair: NO_IMPAIRMENT };
    }),
  }));
  return { links, attachments };
}
