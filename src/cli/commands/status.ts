import type { Command } from "commander";
import type { CliIO } from "../io.js";

/** Adds `wirelab status [FILE | --lab NAME] [--json]`. */
export function registerStatus(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("status")
    .description("list labs, their nodes and interfaces with addresses and link state")
    .argument("[file]", "topology file of one lab")
    .option("--lab <name>", "show one lab")
    .option("--json", "print as JSON")
    .action(async (file: string | undefined, opts: { lab?: string; json?: boolean }) => {
      const { labStatus } = await import("../../index.js");
      const { table } = await import("../table.js");
      const labs = await labStatus({
        ...(file ? { file } : {}),
        ...(opts.lab ? { lab: opts.lab } : {}),
      });
      if (opts.json) {
        io.out(`${JSON.stringify(labs, null, 2)}\n`);
      } else if (labs.length === 0) {
        io.out("no lab is up\n");
      } else {
        for (const lab of labs) {
          if (lab.problem !== undefined) {
            io.out(`lab ${lab.lab} (UNREADABLE): ${lab.problem}\n`);
            continue;
          }
          io.out(`lab ${lab.lab} (${lab.status}) from ${lab.file}\n`);
          for (const p of lab.processes) {
            io.out(
              p.pid !== undefined
                ? `  ${p.name}: pid ${p.pid} (supervisor ${p.supervisor ?? "gone"})\n`
                : `  ${p.name}: NOT RUNNING (wirelab up starts it again)\n`,
            );
          }
          const rows = lab.nodes.flatMap((n) => {
            const node = `${n.name}${n.stopped ? " (stopped)" : n.present ? "" : " (MISSING)"}`;
            if (n.interfaces.length === 0) return [[node, n.kind, "-", "-", "-", "-", "-"]];
            return n.interfaces.map((i, k) => [
              k === 0 ? node : "",
              k === 0 ? `${n.kind}${n.forwarding ? " fwd" : ""}` : "",
              i.ifname,
              i.state,
              i.addresses.join(" ") || "-",
              i.link,
              i.peer ?? "",
            ]);
          });
          io.out(
            `${table(["NODE", "KIND", "IFNAME", "STATE", "ADDRESSES", "LINK", "PEER"], rows)}\n`,
          );
          for (const n of lab.nodes) {
            const d = n.device;
            if (!d) continue;
            const down = d.missing.length
              ? `; NOT RUNNING: ${d.missing.join(" ")} (wirelab restart ${n.name} starts them)`
              : "";
            io.out(`${n.name}: ${d.device}, daemons ${d.running.join(" ") || "none"}${down}\n`);
          }
          if (lab.missing.length)
            io.out(
              `MISSING: ${lab.missing.join(", ")}\n(wirelab up ${lab.file} puts back what is missing)\n`,
            );
          const mgmt = lab.nodes.filter((n) => n.sshPort !== undefined);
          if (mgmt.length) {
            io.out(
              `management (eth0, SSH forwarded): ${mgmt.map((n) => `${n.name} 127.0.0.1:${n.sshPort}`).join(", ")}\n`,
            );
          }
        }
      }
      setExit(0);
    });
}
