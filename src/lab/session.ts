/**
 * Opening a running lab for commands that act on its nodes (exec, status,
 * link, restart, validate): its record, layout and ports as a node session.
 */
import type { Reporter } from "../log.js";
import { labLayout } from "../providers/layout.js";
import { closeSession, type NodeSession, openSession } from "../providers/session.js";
import { type LabDeps, resolveDeps } from "./deps.js";
import type { LabState } from "./state.js";

/**
 * Runs `work` with a session on the lab, closed afterwards whatever happens.
 * `context.signal` reaches the steps that can stop early (a VM's boot).
 *
 * @returns what `work` returns
 */
export async function withSession<T>(
  state: LabState,
  deps: LabDeps,
  work: (s: NodeSession) => Promise<T>,
  context: { readonly reporter?: Reporter; readonly signal?: AbortSignal } = {},
): Promise<T> {
  const d = resolveDeps(deps);
  const session = openSession({
    plan: state.plan,
    run: d.run,
    start: d.start,
    layout: labLayout(d.store.labDir(state.lab)),
    ports: state.ports,
    images: d.images,
    ...(context.reporter ? { reporter: context.reporter } : {}),
    ...(context.signal ? { signal: context.signal } : {}),
  });
  try {
    return await work(session);
  } finally {
    await closeSession(session);
  }
}
