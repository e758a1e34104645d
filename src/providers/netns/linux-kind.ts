/**
 * Running `linux` nodes: commands through `ip netns exec`, interfaces read
 * with `ip -json`, a link end cut by setting the interface down (a vEth
 * peer then sees no carrier), a restart by rebuilding the namespace, a
 * stop by killing what runs in it and setting its interfaces down.
 */
import { constants } from "node:os";
import { LabError } from "../../errors.js";
import type { LinuxNodePlan } from "../../plan/types.js";
import { enterNode } from "../enter.js";
import type { NodeKind } from "../node-kind.js";
import { ipBatch, killNamespaceProcesses, liveInterfaces } from "./kernel.js";
import { rebuildNamespace } from "./repair.js";

/** The runtime half of `kind: linux`. */
export const linuxKind: NodeKind<LinuxNodePlan> = {
  name: "linux",
  async exec(s, node, argv, options = {}) {
    const [file, ...enter] = enterNode(node);
    const r = await s.run(file as string, [...enter, ...argv], {
      check: false,
      inheritStdio: options.interactive ?? false,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    // Killed by a signal: 128 + its number, as a shell reports it.
    const signo = r.signal ? (constants.signals[r.signal as NodeJS.Signals] ?? 0) : 0;
    return { exitCode: r.exitCode ?? 128 + signo, stdout: r.stdout, stderr: r.stderr };
  },
  async status(s, node) {
    const interfaces = await liveInterfaces(s.run, node.namespace);
    return { present: interfaces.length > 0, interfaces };
  },
  async setLinkState(s, node, ifname, up) {
    await s.run("ip", ["-n", node.namespace, "link", "set", "dev", ifname, up ? "up" : "down"]);
  },
  async restart(s, node) {
    await rebuildNamespace(s.run, s.plan, node.name, node.namespace, node.forwarding);
  },
  async stop(s, node) {
    await killNamespaceProcesses(s.run, node.namespace);
    // Down inside: each peer's end (a vEth's other end, a bridge port) loses carrier.
    await ipBatch(
      s.run,
      node.interfaces.map((i) => `link set dev ${i.ifname} down`),
      node.namespace,
      true,
    );
  },
  async start(s, node) {
    await rebuildNamespace(s.run, s.plan, node.name, node.namespace, node.forwarding);
  },
  consoleSocket(_s, node) {
    throw new LabError(
      `"${node.name}" is a namespace node and has no console; use: wirelab exec ${node.name} -- sh`,
    );
  },
};
