/**
 * One command-agent connection per VM, kept while a command works on a
 * lab: QEMU's socket chardev serves one client at a time, so concurrent
 * commands to one VM share its connection (the agent runs them concurrently
 * and answers by id).
 */
import type { LabLayout } from "../layout.js";
import { AgentClient } from "./agent.js";

/** How long an agent of a running VM may take to answer a new connection, in ms. */
export const AGENT_CONNECT_TIMEOUT_MS = 5000;

/** Agent connections of one lab's VMs. Call {@link AgentPool.close} when done. */
export class AgentPool {
  private readonly agents = new Map<string, Promise<AgentClient>>();

  constructor(private readonly layout: LabLayout) {}

  /**
   * The node's agent, connected on first use.
   * @throws {AgentError} when it does not answer
   */
  get(node: string): Promise<AgentClient> {
    let p = this.agents.get(node);
    if (!p) {
      p = AgentClient.waitReady(this.layout.vm(node).agent, AGENT_CONNECT_TIMEOUT_MS);
      this.agents.set(node, p);
    }
    return p;
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    for (const p of this.agents.values()) (await p.catch(() => undefined))?.close();
    this.agents.clear();
  }
}
