import type { Command } from "commander";
import type { CliIO } from "../io.js";

interface ImpairFlags {
  lab?: string;
  delay?: string;
  jitter?: string;
  loss?: string;
  rate?: string;
  corrupt?: string;
  duplicate?: string;
  direction?: "in" | "out" | "both";
  clear?: boolean;
}

/** Adds `wirelab link show|impair|down|up`. */
export function registerLink(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const link = program.command("link").description("show links; impair, cut and restore them live");
  link
    .command("show")
    .description("every link: transport, endpoints, state, impairments and counters")
    .option("--lab <name>", "lab (default: the only lab up)")
    .option("--json", "machine-readable output")
    .action(async (opts: { lab?: string; json?: boolean }) => {
      const { showLinks, formatImpairment } = await import("../../index.js");
      const views = await showLinks(opts.lab ? { lab: opts.lab } : {});
      if (opts.json) {
        io.out(`${JSON.stringify(views, null, 2)}\n`);
      } else {
        for (const v of views) {
          const relayed =
            v.relayed === "declared"
              ? "  through the wire daemon"
              : v.relayed === "spliced"
                ? `  spliced onto the wire daemon (${v.why})`
                : "";
          io.out(`${v.name}  ${v.transport}${relayed}\n`);
          for (const e of v.endpoints) {
            const state = e.up === undefined ? "" : e.up ? "  up" : "  DOWN";
            const impair = e.impair ? `  sends: ${formatImpairment(e.impair)}` : "";
            const receives = e.receives ? `  receives: ${formatImpairment(e.receives)}` : "";
            const counts =
              e.txFrames === undefined
                ? ""
                : `  frames sent ${e.txFrames}, received ${e.rxFrames}, dropped ${e.dropped}`;
            io.out(`  ${e.node}:${e.ifname}${state}${impair}${receives}${counts}\n`);
          }
        }
      }
      setExit(0);
    });
  link
    .command("impair")
    .description(
      "impair what NODE IFNAME sends (--direction out), receives (in) or both (default), live",
    )
    .argument("<node>", "node name")
    .argument("<ifname>", "interface, e.g. eth1")
    .option("--lab <name>", "lab (default: the only lab up)")
    .option("--delay <time>", "added delay, e.g. 20ms")
    .option("--jitter <time>", "delay varies by ± this, e.g. 5ms")
    .option("--loss <percent>", "frames dropped, e.g. 1%")
    .option("--rate <rate>", "bandwidth limit, e.g. 10mbit, 512kbit")
    .option("--corrupt <percent>", "frames with a flipped bit, e.g. 0.1%")
    .option("--duplicate <percent>", "frames sent twice, e.g. 1%")
    .option("--direction <dir>", "in, out or both", "both")
    .option("--clear", "start from no impairment (then apply the options given)")
    .action(async (node: string, ifname: string, opts: ImpairFlags) => {
      const { formatImpairment, impairLink, UsageError } = await import("../../index.js");
      if (!["in", "out", "both"].includes(opts.direction ?? "both"))
        throw new UsageError(`--direction must be in, out or both, not "${opts.direction}"`);
      const { lab, direction, ...values } = opts;
      const r = await impairLink(lab ? { lab } : {}, node, ifname, values, direction ?? "both");
      // What each port now sends with, all of it (--clear or not).
      for (const s of r.set ?? []) io.out(`${s.port} sends: ${formatImpairment(s.impairment)}\n`);
      if (r.spliced) io.out(`spliced onto the wire daemon as ${r.spliced}\n`);
      if (r.movedBack) io.out("nothing impaired or cut: the link is back on its own wire\n");
      if (r.notSaved)
        io.err(`wirelab: applied, but not saved (lost if the daemon restarts): ${r.notSaved}\n`);
      setExit(0);
    });
  for (const state of ["down", "up"] as const) {
    link
      .command(state)
      .description(
        state === "down"
          ? "cut NODE IFNAME's wire (a p2p link at both ends; VM NICs lose carrier)"
          : "restore NODE IFNAME's wire",
      )
      .argument("<node>", "node name")
      .argument("<ifname>", "interface, e.g. eth1")
      .option("--lab <name>", "lab (default: the only lab up)")
      .action(async (node: string, ifname: string, opts: { lab?: string }) => {
        const { setLinkState } = await import("../../index.js");
        const r = await setLinkState(
          opts.lab ? { lab: opts.lab } : {},
          node,
          ifname,
          state === "up",
        );
        io.out(`${node} ${ifname}: link ${state}\n`);
        if (r.movedBack) io.out("nothing impaired or cut: the link is back on its own wire\n");
        if (r.notSaved)
          io.err(`wirelab: applied, but not saved (lost if the daemon restarts): ${r.notSaved}\n`);
        setExit(0);
      });
  }
}
