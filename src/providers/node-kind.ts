/**
 * The runtime half of a node kind: everything a lab command asks of a
 * running node, answered once per kind (`netns/linux-kind.ts`,
 * `qemu/vm-kind.ts`). Commands ask `nodeKind(node)` (see `kinds.ts`) and
 * never test what a node is.
 */
import type { NodePlan } from "../plan/types.js";
import type { NodeSession } from "./session.js";

/** One interface as `ip -json address show` reports it (the fields wirelab reads; ip(8)). */
export interface LiveInterface {
  readonly ifname: string;
  readonly address?: string;
  readonly operstate: string;
  readonly flags: readonly string[];
  readonly mtu: number;
  readonly addr_info: readonly {
    family: string;
    local: string;
    prefixlen: number;
    scope: string;
  }[];
}

/** Exit code and output of a command run in a node. */
export interface NodeRunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link NodeKind.exec}. */
export interface NodeExecOptions {
  /** Connect the command to this terminal (a VM's output is printed when it ends). @default false */
  readonly interactive?: boolean;
  /** Give up on a command after this many ms (killed; exit code 128 + the signal). @default no limit in a namespace; DEFAULT_COMMAND_TIMEOUT_MS (agent.ts) in a VM */
  readonly timeoutMs?: number;
}

/** A node as `status` sees it. */
export interface NodeLiveState {
  /** Its namespace exists, its VM runs. */
  readonly present: boolean;
  /** Its interfaces as its kernel has them; undefined when wirelab cannot look (a user's image). */
  readonly interfaces?: readonly LiveInterface[];
  /** Management SSH forwarded from this 127.0.0.1 port, if any. */
  readonly sshPort?: number;
}

/** What a running node of one kind can do. */
export interface NodeKind<N extends NodePlan = NodePlan> {
  readonly name: N["kind"];
  /**
   * Runs `argv` in the node (no shell).
   * @throws {LabError} when wirelab cannot run commands in it
   * @throws {AgentError} when a VM does not answer
   */
  exec(
    s: NodeSession,
    node: N,
    argv: readonly string[],
    options?: NodeExecOptions,
  ): Promise<NodeRunResult>;
  /** Its state read live. */
  status(s: NodeSession, node: N): Promise<NodeLiveState>;
  /**
   * Cuts (`up: false`) or restores its end of a link: the interface loses
   * carrier or goes down inside the node.
   */
  setLinkState(s: NodeSession, node: N, ifname: string, up: boolean): Promise<void>;
  /**
   * Stops and starts the node, leaving its peers alone; resolves when it
   * answers again.
   */
  restart(s: NodeSession, node: N): Promise<void>;
  /**
   * Stops the node with its wires parked: what runs in it ends and its
   * interfaces lose their links (a namespace's processes killed and its
   * interfaces down; a VM's QEMU stopped, its taps and ports kept).
   */
  stop(s: NodeSession, node: N): Promise<void>;
  /**
   * Starts a stopped node with the same identity and wires (a namespace
   * rebuilt as by {@link restart}; a VM's QEMU started again); resolves
   * when it answers.
   */
  start(s: NodeSession, node: N): Promise<void>;
  /**
   * The unix socket of its serial console.
   * @throws {LabError} when it has none
   */
  consoleSocket(s: NodeSession, node: N): string;
}
