/**
 * What acting on a running lab's nodes needs: its plan, the runner and
 * process starter, its files and ports, and open channels to its VMs. A
 * session is opened by a lab command and closed when it is done.
 */
import type { Runner } from "../exec.js";
import type { GuestImage } from "../image/build.js";
import type { Reporter } from "../log.js";
import type { LabPorts } from "../plan/ports.js";
import type { LabPlan } from "../plan/types.js";
import { PlanView } from "../plan/view.js";
import type { ProcessStarter } from "../process.js";
import type { LabLayout } from "./layout.js";
import { AgentPool } from "./qemu/agent-pool.js";

/** Reads the cached guest image: undefined when it is not built. */
export type ImageReader = () => Promise<GuestImage | undefined>;

/** A running lab, as node kinds act on it. */
export interface NodeSession {
  readonly plan: LabPlan;
  readonly view: PlanView;
  readonly run: Runner;
  readonly start: ProcessStarter;
  readonly layout: LabLayout;
  readonly ports: LabPorts;
  readonly images: ImageReader;
  /** Command-agent connections of its VMs. */
  readonly agents: AgentPool;
  readonly reporter?: Reporter;
  /** Aborted when the user interrupts the command: a VM being started is stopped. */
  readonly signal?: AbortSignal;
}

/** Opens a session; close it with {@link closeSession}. */
export function openSession(options: Omit<NodeSession, "view" | "agents">): NodeSession {
  return { ...options, view: new PlanView(options.plan), agents: new AgentPool(options.layout) };
}

/** Closes the session's channels. */
export async function closeSession(session: NodeSession): Promise<void> {
  await session.agents.close();
}
