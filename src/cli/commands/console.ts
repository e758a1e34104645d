import { connect } from "node:net";
import type { Command } from "commander";
import type { CliIO } from "../io.js";

/** Ctrl-] (0x1d), the escape `virsh console` and telnet use. */
const DETACH = 0x1d;

/** After the input ends (a pipe), how long the console's answer is still shown, in ms. */
const DRAIN_MS = 300;

/** Adds `wirelab console [--lab NAME] NODE`: the VM's serial console on this terminal; Ctrl-] detaches. */
export function registerConsole(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command("console")
    .description("attach to a VM's serial console (Ctrl-] detaches)")
    .argument("<node>", "VM node name")
    .option("--lab <name>", "lab of the node (default: the only lab up)")
    .option("-f, --file <file>", "topology file of the lab")
    .action(async (node: string, opts: { lab?: string; file?: string }) => {
      const { consoleSocket } = await import("../../index.js");
      const path = await consoleSocket(
        { ...(opts.lab ? { lab: opts.lab } : {}), ...(opts.file ? { file: opts.file } : {}) },
        node,
      );
      const stdin = process.stdin;
      const tty = stdin.isTTY === true;
      await new Promise<void>((resolve, reject) => {
        const sock = connect(path);
        sock.once("error", reject);
        sock.once("connect", () => {
          io.err(`connected to ${node}'s console; Ctrl-] detaches\r\n`);
          if (tty) stdin.setRawMode(true);
          stdin.resume();
          // Enter, so that the shell prints a fresh prompt.
          sock.write("\r");
        });
        const done = () => {
          if (tty) stdin.setRawMode(false);
          stdin.pause();
          stdin.off("data", onKey);
          sock.destroy();
          resolve();
        };
        const onKey = (d: Buffer) => {
          const i = d.indexOf(DETACH);
          if (i >= 0) {
            if (i > 0) sock.write(d.subarray(0, i));
            done();
          } else sock.write(d);
        };
        stdin.on("data", onKey);
        stdin.once("end", () => setTimeout(done, DRAIN_MS));
        sock.on("data", (d: Buffer) => process.stdout.write(d));
        sock.once("close", done);
      });
      io.err("\r\ndetached\r\n");
      setExit(0);
    });
}
