/**
 * Running commands in a lab's nodes, whatever their kind: `ip netns exec`
 * for a namespace, the command agent for a VM. One agent connection per VM
 * is kept for the life of a {@link LabAccess}, because QEMU's socket
 * chardev serves one client at a time.
 */
import { join } from "node:path";
import { LabError } from "../errors.js";
import type { Runner } from "../exec.js";
import type { NodePlan } from "../plan/types.js";
import { AgentClient } from "../providers/qemu/agent.js";
import type { StateStore } from "./state.js";

/** Exit code and output of a command run in a node. */
export interface NodeRunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Files of a VM under its lab's directory. */
export function vmFiles(store: StateStore, lab: string, node: string) {
  const dir = join(store.labDir(lab), "vm");
  return {
    dir,
    /** Command agent socket (virtio-serial `wirelab.cmd`). */
    agent: join(dir, `${node}.cmd`),
    /** Serial console socket. */
    console: join(dir, `${node}.console`),
    /** What the console printed. */
    consoleLog: join(dir, `${node}.console.log`),
    pidfile: join(dir, `${node}.pid`),
    /** QMP monitor socket (link state). */
    qmp: join(dir, `${node}.qmp`),
    /** QEMU's own messages. */
    log: join(dir, `${node}.log`),
    initrd: join(dir, `${node}.initrd`),
  };
}

/** Runs commands in the nodes of one lab. Call {@link LabAccess.close} when done. */
export class LabAccess {
  private readonly agents = new Map<string, Promise<AgentClient>>();

  /**
   * @param lab - lab name
   * @param store - where the lab's files are
   * @param run - runner for namespace commands
   */
  constructor(
    private readonly lab: string,
    private readonly store: StateStore,
    private readonly run: Runner,
  ) {}

  /**
   * Runs `argv` in `node` (no shell) and returns its exit code and output.
   *
   * @param options.interactive - connect a namespace command to this terminal (VMs: output is printed when it ends)
   * @param options.timeoutMs - give up on a VM command after this many ms @default 60000
   * @throws {AgentError} when a VM does not answer
   */
  async exec(
    node: NodePlan,
    argv: readonly string[],
    options: { interactive?: boolean; timeoutMs?: number } = {},
  ): Promise<NodeRunResult> {
    if (node.namespace) {
      const r = await this.run("ip", ["netns", "exec", node.namespace, ...argv], {
        check: false,
        inheritStdio: options.interactive ?? false,
      });
      return { exitCode: r.exitCode ?? 128, stdout: r.stdout, stderr: r.stderr };
    }
    if (node.vm?.userImage) {
      throw new LabError(
        `"${node.name}" runs a user image, which has no wirelab command agent; use "wirelab console ${node.name}" or SSH to its management port`,
      );
    }
    const agent = await this.agent(node.name);
    const r = await agent.run(argv, options.timeoutMs ?? 60_000);
    if (options.interactive) {
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
    }
    return r;
  }

  /** Closes the agent connections. */
  async close(): Promise<void> {
    for (const p of this.agents.values()) (await p.catch(() => undefined))?.close();
    this.agents.clear();
  }

  private agent(node: string): Promise<AgentClient> {
    let p = this.agents.get(node);
    if (!p) {
      p = AgentClient.waitReady(vmFiles(this.store, this.lab, node).agent, 5000);
      this.agents.set(node, p);
    }
    return p;
  }
}
