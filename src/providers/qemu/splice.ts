/**
 * The QEMU side of splicing a VM NIC onto the wire daemon live (see
 * `SpliceSide` "guest" and "network"), over QMP: four chardevs (unix
 * sockets QEMU listens on, the daemon connects to) and four
 * filter-redirectors on the NIC's netdev (QEMU docs, "-object
 * filter-redirector" and "-object filter-*": queue `rx` holds what the
 * guest sends, `tx` what the backend hands it; filters see `tx` frames in
 * their list order and `rx` frames in reverse, and a frame a filter reads
 * from its `indev` goes on past that filter):
 *
 *   list order:   no (tx, outdev)   gi (tx, indev)   ni (rx, indev)   go (rx, outdev)
 *
 * - `go`: what the guest sends goes to the daemon (first in rx order);
 * - `no`: what the backend (tunnel, tap) hands the NIC goes to the daemon;
 * - `gi`: what the daemon sends the guest is handed to it;
 * - `ni`: what the daemon sends the network goes into the backend.
 *
 * The `indev` filters come first and carry nothing until the daemon sends;
 * the two `outdev` ones are each one QMP command, so every frame takes
 * one path or the other. The chardevs' frames have a 4-byte big-endian
 * length in front, as `-netdev stream` frames them.
 */
import { LabError } from "../../errors.js";
import type { NodePlan } from "../../plan/types.js";
import type { LabLayout, SpliceChannel } from "../layout.js";
import { netdevId, nicIndex } from "./args.js";
import { qmp } from "./qmp.js";

const CHANNELS: readonly SpliceChannel[] = ["go", "gi", "no", "ni"];

/** Ids of the chardev and filter of one channel (QOM ids: letters, digits, `-`). */
function ids(netdev: string, c: SpliceChannel) {
  return { chardev: `wl-splice-${netdev}-${c}-chr`, filter: `wl-splice-${netdev}-${c}` };
}

/** Runs QMP commands one at a time, each allowed to fail with one of `benign` in its error. */
async function tolerant(
  socket: string,
  commands: readonly { execute: string; arguments?: object }[],
  benign: RegExp,
): Promise<void> {
  for (const c of commands) {
    try {
      await qmp(socket, [c]);
    } catch (e) {
      if (!(e instanceof LabError && benign.test(e.message))) throw e;
    }
  }
}

/**
 * Adds the four chardevs of a NIC's splice; nothing is diverted yet. Runs
 * again over what it made.
 *
 * @throws {LabError} when QEMU cannot be reached or refuses
 */
export async function prepareNic(layout: LabLayout, node: NodePlan, ifname: string): Promise<void> {
  const netdev = netdevId(node, ifname);
  const i = nicIndex(node, ifname);
  await tolerant(
    layout.vm(node.name).qmp,
    CHANNELS.map((c) => ({
      execute: "chardev-add",
      arguments: {
        id: ids(netdev, c).chardev,
        backend: {
          type: "socket",
          data: {
            addr: { type: "unix", data: { path: layout.spliceSocket(node.name, i, c) } },
            server: true,
            wait: false,
          },
        },
      },
    })),
    /already exists/,
  );
}

function filter(netdev: string, c: SpliceChannel, extra: object = {}) {
  const queue = c === "go" || c === "ni" ? "rx" : "tx";
  const dev = c === "go" || c === "no" ? "outdev" : "indev";
  return {
    execute: "object-add",
    arguments: {
      "qom-type": "filter-redirector",
      id: ids(netdev, c).filter,
      netdev,
      queue,
      [dev]: ids(netdev, c).chardev,
      ...extra,
    },
  };
}

/**
 * Diverts the NIC's frames both ways to its chardevs (the daemon must be
 * connected to them). Runs again over what it did.
 *
 * @throws {LabError} when QEMU refuses
 */
export async function divertNic(layout: LabLayout, node: NodePlan, ifname: string): Promise<void> {
  const netdev = netdevId(node, ifname);
  await tolerant(
    layout.vm(node.name).qmp,
    [
      filter(netdev, "gi"),
      filter(netdev, "ni"),
      filter(netdev, "no", { position: "head" }),
      filter(netdev, "go"),
    ],
    /already exists|duplicate/i,
  );
}

/** Lets the NIC's frames take their own backend again; the daemon's way in stays. Skips what is gone. */
export async function undivertNic(
  layout: LabLayout,
  node: NodePlan,
  ifname: string,
): Promise<void> {
  const netdev = netdevId(node, ifname);
  await tolerant(
    layout.vm(node.name).qmp,
    (["go", "no"] as const).map((c) => ({
      execute: "object-del",
      arguments: { id: ids(netdev, c).filter },
    })),
    /not found|doesn't exist|No such|not exist/i,
  );
}

/** Removes the rest of the splice: the `indev` filters and the chardevs. Skips what is gone, and a QEMU that is not running. */
export async function removeNic(layout: LabLayout, node: NodePlan, ifname: string): Promise<void> {
  const netdev = netdevId(node, ifname);
  try {
    await tolerant(
      layout.vm(node.name).qmp,
      [
        ...(["go", "no", "gi", "ni"] as const).map((c) => ({
          execute: "object-del",
          arguments: { id: ids(netdev, c).filter },
        })),
        ...CHANNELS.map((c) => ({
          execute: "chardev-remove",
          arguments: { id: ids(netdev, c).chardev },
        })),
      ],
      /not found|doesn't exist|No such|not exist/i,
    );
  } catch (e) {
    // A VM that is not running holds nothing any more.
    if (!(e instanceof LabError && /ENOENT|ECONNREFUSED/.test(e.message))) throw e;
  }
}
