/**
 * The files of a router's `/etc/frr`, from its plan: `daemons` (the user's,
 * or zebra, staticd and what the configuration needs, FRR docs "Daemons
 * Configuration File"), `frr.conf` (the user's, or a hostname line) and
 * `vtysh.conf` (one integrated configuration, as Debian ships it, and root
 * let in without PAM). The
 * same for a namespace router (written in the lab's folder) and a VM's
 * (packed into its initramfs).
 */
import { readFile } from "node:fs/promises";
import { LabError } from "../errors.js";
import {
  daemonsEnabled,
  daemonsFile,
  daemonsFor,
  withLogFile,
} from "../plan/devices/frr-daemons.js";
import type { FrrDevicePlan, LabPlan } from "../plan/types.js";

/**
 * The `frr.conf` a router of a plan starts with (what `up` writes).
 *
 * @throws {LabError} when the node is not in the plan or not a router, or its file cannot be read
 */
export async function routerConfigText(plan: LabPlan, node: string): Promise<string> {
  const n = plan.nodes.find((x) => x.name === node);
  if (!n)
    throw new LabError(
      `lab ${plan.lab} has no node "${node}" (nodes: ${plan.nodes.map((x) => x.name).join(", ")})`,
    );
  const device = n.device;
  if (device?.name !== "frr")
    throw new LabError(
      `"${node}" is not a router (device ${device?.name ?? "linux"}); it has no FRR configuration`,
    );
  return (await routerFileTexts(node, device)).files["frr.conf"] as string;
}

/** How long a router's daemons may take to answer vtysh after their start, in ms. */
export const FRR_READY_TIMEOUT_MS = 30_000;

/** Where a router's daemons write their startup messages (inside the router). */
export const FRR_LOG_FILE = "/var/log/frr/frr.log";

/**
 * @param node - the router's name (its default hostname)
 * @returns file name → text, and the daemons that must answer once it runs
 * @throws {LabError} when a user's file cannot be read
 */
export async function routerFileTexts(
  node: string,
  device: FrrDevicePlan,
): Promise<{ files: Record<string, string>; daemons: string[] }> {
  const read = (path: string) =>
    readFile(path, "utf8").catch((e: NodeJS.ErrnoException) => {
      throw new LabError(`${node}: cannot read ${path} (${e.code ?? e.message})`);
    });
  const user = device.config ? await read(device.config) : undefined;
  // What the topology makes (netlab's initial configuration and modules), then the user's own.
  const config =
    device.generated !== undefined
      ? `${device.generated}${user !== undefined ? `!\n! ${device.config}\n!\n${user}` : ""}`
      : (user ??
        `frr defaults traditional\nhostname ${node}\nservice integrated-vtysh-config\n!\n`);
  let daemons: string[];
  let daemonsText: string;
  if (device.daemons) {
    const text = await read(device.daemons);
    daemons = daemonsEnabled(text);
    daemonsText = withLogFile(text, FRR_LOG_FILE);
  } else {
    daemons = daemonsFor(config);
    daemonsText = daemonsFile(daemons, FRR_LOG_FILE);
  }
  return {
    files: {
      daemons: daemonsText,
      "frr.conf": config,
      // root's vtysh needs no PAM (a guest has no PAM configuration): FRR docs, "VTY shell", username … nopassword.
      "vtysh.conf": "service integrated-vtysh-config\nusername root nopassword\n",
    },
    daemons,
  };
}
