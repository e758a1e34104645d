/**
 * The lab's hosts file: every node's name resolves in every node, as
 * netlab's `/etc/hosts` has it (netlab's `templates/initial/linux/
 * hosts-common.j2`): a node's name is its loopback's addresses; each
 * interface's address is `IFNAME.NODE` (and the node's name too when the
 * node has no loopback). Both families; an unnumbered interface has none of
 * its own. Format: hosts(5).
 */
import type { LabPlan } from "./types.js";

/** The lines every hosts file starts with (Debian's /etc/hosts). */
const LOCAL = [
  "127.0.0.1\tlocalhost",
  "::1\tlocalhost ip6-localhost ip6-loopback",
  "ff02::1\tip6-allnodes",
  "ff02::2\tip6-allrouters",
];

const address = (cidr: string): string => cidr.split("/")[0] as string;

/** @returns the file's text: the local lines, then one line per address, nodes by name */
export function hostsText(plan: LabPlan): string {
  const lines = [...LOCAL, `# lab ${plan.lab} (wirelab)`];
  const nodes = [...plan.nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const n of nodes) {
    const hasLoopback = n.loopback.ipv4 !== undefined || n.loopback.ipv6 !== undefined;
    for (const af of ["ipv4", "ipv6"] as const) {
      const a = n.loopback[af];
      if (a) lines.push(`${address(a)}\t${n.name}`);
    }
    for (const i of n.interfaces)
      for (const af of ["ipv4", "ipv6"] as const) {
        const a = i[af];
        if (!a || i.unnumbered?.[af]) continue;
        lines.push(`${address(a)}\t${hasLoopback ? "" : `${n.name} `}${i.ifname}.${n.name}`);
      }
  }
  return `${lines.join("\n")}\n`;
}
