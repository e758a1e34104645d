import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import type { Command } from "commander";
import type { CliIO } from "../io.js";

interface CaptureFlags {
  lab?: string;
  link?: string;
  write?: string;
  count?: number;
}

/** Adds `wirelab capture [--lab NAME] (NODE IFACE | --link NAME) [FILTER…] [-w FILE|-] [-c N]`. */
export function registerCapture(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command("capture")
    .description(
      "capture an interface or a link live, on every link type (UDP tunnels decapsulated); pcapng with -w",
    )
    .argument("[node]", "node name")
    .argument("[iface]", "interface of the node, e.g. eth1")
    .argument("[filter...]", "BPF filter, applied to the frames on the wire (inside tunnels)")
    .option("--lab <name>", "lab of the node (default: the only lab up)")
    .option("--link <name>", "capture a whole link or LAN segment (then every argument is filter)")
    .option(
      "-w, --write <file>",
      "write pcapng to FILE, or - for standard output (wireshark -k -i -)",
    )
    .option("-c, --count <n>", "stop after N frames", (v) => Number.parseInt(v, 10))
    .action(
      async (
        node: string | undefined,
        iface: string | undefined,
        rest: string[],
        opts: CaptureFlags,
      ) => {
        const { LabError } = await import("../../errors.js");
        const { startCapture } = await import("../../capture/capture.js");
        const { enhancedPacket, interfaceDescription, sectionHeader } = await import(
          "../../capture/pcapng.js"
        );
        const { execa } = await import("execa");
        const filter = opts.link
          ? [node, iface, ...rest].filter((w): w is string => w !== undefined)
          : rest;
        if (!opts.link && (node === undefined || iface === undefined)) {
          throw new LabError("name a NODE and an IFACE, or a link with --link NAME");
        }
        const what = opts.link
          ? { link: opts.link }
          : { node: node as string, iface: iface as string };
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
        let seen = 0;
        let stopping = false;
        // Frames can come before startCapture returns (one tcpdump listens before the other): hold them.
        const early: Parameters<typeof enhancedPacket>[] = [];
        let ready = false;
        const write = (args: Parameters<typeof enhancedPacket>) => {
          if (stopping) return;
          // The writes of one tick go out together: one system call for a burst, none held back.
          if (!out.writableCorked) {
            out.cork();
            process.nextTick(() => out.uncork());
          }
          out.write(enhancedPacket(...args));
          if (opts.count !== undefined && ++seen >= opts.count) void stop();
        };
        const capture = await startCapture(opts.lab ? { lab: opts.lab } : {}, what, {
          filter,
          onFrame: (f) => {
            const args: Parameters<typeof enhancedPacket> = [
              0,
              f.tsNs,
              f.frame,
              f.direction,
              f.origLen,
            ];
            if (ready) write(args);
            else early.push(args);
          },
        });
        // Headers at once, so a reader (tshark -r -, wireshark -k -i -) starts before the first frame.
        out.write(sectionHeader());
        out.write(interfaceDescription(capture.name));
        ready = true;
        for (const args of early.splice(0)) write(args);
        if (opts.write !== "-") {
          io.err(
            `capturing ${opts.link ? `link ${opts.link}` : `${node} ${iface}`}${filter.length ? ` (${filter.join(" ")})` : ""}; Ctrl-C stops\n`,
          );
        }
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
        io.err(
          `${capture.stats.frames} frames${skipped.length ? `; skipped: ${skipped.map(([k, v]) => `${v} ${k}`).join(", ")}` : ""}${capture.stats.dropped ? `; ${capture.stats.dropped} dropped by the kernel (the capture fell behind)` : ""}\n`,
        );
        setExit(0);
      },
    );
}
