/**
 * The wirelab commands a picture's page offers for an edge: capture it into
 * Wireshark, impair it, cut it — written out exactly, to be pasted into a
 * root shell.
 */
import { shellWord } from "../shell.js";
import type { GraphEdge } from "./model.js";

/** One command and what it does. */
export interface EdgeCommand {
  readonly what: string;
  readonly command: string;
}

/** The commands for an edge of lab `lab`: the whole link first, then each end. */
export function edgeCommands(lab: string, e: GraphEdge): EdgeCommand[] {
  const w = (...words: string[]) => ["wirelab", ...words.map(shellWord)].join(" ");
  const toWireshark = "-w - | wireshark -k -i -";
  const out: EdgeCommand[] = [
    {
      what: e.toIf !== undefined ? "capture the link" : "capture the LAN segment",
      command: `${w("capture", "--lab", lab, "--link", e.link)} ${toWireshark}`,
    },
  ];
  const ends: [string, string][] =
    e.toIf !== undefined
      ? [
          [e.from, e.fromIf],
          [e.to, e.toIf],
        ]
      : [[e.from, e.fromIf]];
  for (const [node, ifname] of ends) {
    const at = `${node} ${ifname}`;
    out.push(
      {
        what: `capture ${at}`,
        command: `${w("capture", "--lab", lab, node, ifname)} ${toWireshark}`,
      },
      {
        what: `delay what ${at} sends`,
        command: w(
          "link",
          "impair",
          "--lab",
          lab,
          node,
          ifname,
          "--direction",
          "out",
          "--delay",
          "50ms",
        ),
      },
      {
        what: `clear ${at}'s impairments`,
        command: w("link", "impair", "--lab", lab, node, ifname, "--clear"),
      },
      { what: `cut ${at}`, command: w("link", "down", "--lab", lab, node, ifname) },
      { what: `restore ${at}`, command: w("link", "up", "--lab", lab, node, ifname) },
    );
  }
  return out;
}
