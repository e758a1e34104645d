/**
 * What FRR refused of a router's configuration when it started: FRR's
 * start script loads `frr.conf` with `vtysh -b`, which reports each line a
 * daemon refused (`line 54: Failure to communicate[13] to bgpd, line:
 * neighbor … local-as …`), the daemon's reason (`% AS specified for local
 * as is the same as the remote as …`) and `Configuration file[…]
 * processing failure`, and goes on with the rest. `vtysh --dryrun` checks
 * only the syntax; a line a daemon refuses at run time (a value it will not
 * take) is found here.
 */

/** The refused lines (`line 54 (bgpd): neighbor …`) and FRR's reasons (`% …`), in order, each once. */
export interface ConfigRefusals {
  readonly lines: readonly string[];
  readonly reasons: readonly string[];
}

const REFUSED = /^line (\d+): Failure to communicate\[\d+\] to (\S+?),? line:\s*(.*)$/;

/**
 * @param output - what FRR's start script (or `vtysh -b`) printed
 * @returns undefined when the whole configuration was taken
 */
export function configRefusals(output: string): ConfigRefusals | undefined {
  const lines: string[] = [];
  const reasons: string[] = [];
  for (const raw of output.split("\n")) {
    const line = raw.trim();
    const m = REFUSED.exec(line);
    if (m) {
      const entry = `line ${m[1]} (${m[2]}): ${(m[3] ?? "").trim()}`;
      if (!lines.includes(entry)) lines.push(entry);
    } else if (line.startsWith("% ") && !reasons.includes(line)) reasons.push(line);
  }
  if (lines.length === 0 && !/processing failure/.test(output)) return undefined;
  return { lines, reasons };
}

/** The error text for a router whose configuration FRR refused in part. */
export function refusalMessage(node: string, r: ConfigRefusals): string {
  const n = r.lines.length;
  return `router ${node}: FRR refused ${n === 1 ? "a line" : `${n} lines`} of its configuration (frr.conf):\n  ${r.lines.join("\n  ")}${r.reasons.length ? `\nFRR said:\n  ${r.reasons.join("\n  ")}` : ""}`;
}
