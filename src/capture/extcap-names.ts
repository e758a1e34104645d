/**
 * wirelab's interfaces as Wireshark's extcap interface names them, and the
 * sentences of the listing steps (`--extcap-interfaces`, `--extcap-dlts`,
 * `--extcap-config`; Wireshark's extcap(4) man page). Light on purpose:
 * Wireshark runs every extcap program to list interfaces each time it starts.
 */
import { UsageError } from "../errors.js";
import type { LabState } from "../lab/state.js";

/** The prefix of wirelab's interface names in Wireshark. */
export const EXTCAP_PREFIX = "wirelab";

/** An interface named in Wireshark. */
export interface ExtcapInterface {
  readonly lab: string;
  readonly node: string;
  readonly ifname: string;
}

/** `wirelab:LAB:NODE:IFNAME`. */
export function extcapName(i: ExtcapInterface): string {
  return `${EXTCAP_PREFIX}:${i.lab}:${i.node}:${i.ifname}`;
}

/**
 * The lab, node and interface of a name from {@link extcapName}.
 *
 * @throws {UsageError} for a name that is not wirelab's
 */
export function parseExtcapName(name: string): ExtcapInterface {
  const parts = name.split(":");
  const [prefix, lab, node, ifname] = parts;
  if (parts.length !== 4 || prefix !== EXTCAP_PREFIX || !lab || !node || !ifname)
    throw new UsageError(
      `"${name}" is not a wirelab interface: wirelab's are named ${EXTCAP_PREFIX}:LAB:NODE:IFNAME`,
    );
  return { lab, node, ifname };
}

/** Text in an extcap sentence: the braces that delimit fields are left out. */
const field = (text: string) => text.replace(/[{}]/g, "");

/**
 * What `--extcap-interfaces` prints: the program's sentence, then one
 * interface per node interface of every running lab (labs whose records
 * cannot be read are left out: Wireshark's interface list must not fail).
 *
 * @param version wirelab's version
 */
export function extcapInterfaces(version: string, labs: readonly LabState[]): string {
  const lines = [
    `extcap {version=${field(version)}}{display=wirelab: the interfaces of running labs}`,
  ];
  for (const s of [...labs].sort((a, b) => a.lab.localeCompare(b.lab))) {
    for (const n of s.plan.nodes) {
      for (const i of n.interfaces) {
        const link = s.plan.links.find((l) => l.name === i.link);
        const to = i.peer
          ? ` to ${i.peer.replace(":", " ")}`
          : link?.type === "lan"
            ? " (LAN)"
            : "";
        const display = `wirelab ${s.lab}: ${n.name} ${i.ifname}, link ${i.link}${to}${link ? `, ${link.transport}` : ""}`;
        const value = extcapName({ lab: s.lab, node: n.name, ifname: i.ifname });
        lines.push(`interface {value=${field(value)}}{display=${field(display)}}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

/** What `--extcap-dlts` prints: Ethernet (LINKTYPE_ETHERNET, 1, tcpdump.org "Link-layer header types"). */
export function extcapDlts(): string {
  return "dlt {number=1}{name=EN10MB}{display=Ethernet}\n";
}

/** What `--extcap-config` prints: nothing to configure (the capture filter is Wireshark's own field). */
export function extcapConfig(): string {
  return "";
}
