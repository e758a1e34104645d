import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import type { Command } from "commander";
import type { CliIO } from "../io.js";

/** Adds `wirelab capture [--lab NAME] NODE IFACE [FILTER…] [-w FILE|-] [-c N]`. */
export function registerCapture(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command("capture")
    .description(
      "capture a node interface live, on every link type (UDP tunnels decapsulated); pcapng with -w",
    )
    .argument("<node>", "node name")
    .argument("<iface>", "interface of the node, e.g. eth1")
    .argument("[filter...]", "BPF filter, applied to the frames on the wire (inside tunnels)")
    .option("--lab <name>", "lab of the node (default: the only lab up)")
    .option(
      "-w, --write <file>",
      "write pcapng to FILE, or - for standard output (wireshark -k -i -)",
    )
    .option("-c, --count <n>", "stop after N frames", (v) => Number.parseInt(v, 10))
    .action(
      async (
        node: string,
        iface: string,
        filter: string[],
        opts: { lab?: string; write?: string; count?: number },
      ) => {
        const { startCapture } = await import("../../capture/capture.js");
        const { enhancedPacket, interfaceDescription, sectionHeader } = await import(
          "../../capture/pcapng.js"
        );
        const { execa } = await import("execa");
        // Summaries come from tcpdump reading our pcapng, so they look like `tcpdump -n -e`.
        const summary = opts.write
          ? undefined
          : execa("tcpdump", ["-n", "-e", "-l", "-r", "-"], {
              stdin: "pipe",
              stdout: "inherit",
              stderr: "ignore",
              reject: false,
            });
        const out: Writable =
          opts.write === "-"
            ? process.stdout
            : opts.write
              ? createWriteStream(opts.write)
              : (summary?.stdin as Writable);
        out.write(sectionHeader());
        out.write(interfaceDescription(`${node}:${iface}`));
        let seen = 0;
        let stopping = false;
        const capture = await startCapture(opts.lab ? { lab: opts.lab } : {}, node, iface, {
          filter,
          onFrame: (f) => {
            if (stopping) return;
            out.write(enhancedPacket(0, f.tsNs, f.frame, f.direction));
            if (opts.count !== undefined && ++seen >= opts.count) void stop();
          },
        });
        if (opts.write !== "-")
          io.err(
            `capturing ${node} ${iface}${filter.length ? ` (${filter.join(" ")})` : ""}; Ctrl-C stops\n`,
          );
        async function stop() {
          if (stopping) return;
          stopping = true;
          await capture.stop();
        }
        process.once("SIGINT", () => void stop());
        process.once("SIGTERM", () => void stop());
        await capture.done;
        await new Promise<void>((resolve) =>
          out === process.stdout ? resolve() : out.end(resolve),
        );
        await summary;
        const skipped = Object.entries(capture.stats.skipped);
        if (opts.write !== "-") {
          io.err(
            `${capture.stats.frames} frames${skipped.length ? `; skipped: ${skipped.map(([k, v]) => `${v} ${k}`).join(", ")}` : ""}\n`,
          );
        }
        setExit(0);
      },
    );
}
