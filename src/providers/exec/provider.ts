/**
 * The exec provider: each node's `exec:` lines (containerlab's `exec`), run
 * in the node through its kind (`sh -c LINE`: a namespace's shell, or a VM's
 * through its agent), in order, once everything else of the lab runs: its
 * links, addresses, routes, routers and VMs. Nodes run their lines at the
 * same time; a line that fails stops `up`, which removes what it built. It
 * owns nothing: what the lines change lives in the nodes.
 */
import { eachSettled } from "../../concurrent.js";
import { LabError } from "../../errors.js";
import type { LabPlan, NodePlan } from "../../plan/types.js";
import { nodeKind } from "../kinds.js";
import type { Provider, ProviderContext } from "../provider.js";
import { closeSession, type ImageReader, openSession } from "../session.js";

/** How long one line may run, in ms. */
export const EXEC_LINE_TIMEOUT_MS = 60_000;

/** A node's `exec:` line failed; `path` is where the line is in the topology. */
export class ExecLineError extends LabError {
  override name = "ExecLineError";
  /**
   * @param path - the line's document path, `["nodes", node, "exec", index]`
   */
  constructor(
    message: string,
    readonly path: readonly (string | number)[],
  ) {
    super(message);
  }
}

/** Nodes with `exec:` lines. */
const withLines = (plan: LabPlan): NodePlan[] => plan.nodes.filter((n) => n.exec?.length);

/**
 * Runs a node's lines in order.
 *
 * @throws {ExecLineError} naming the line, its exit code and what it printed
 */
export async function runExecLines(
  ctx: Pick<ProviderContext, "plan" | "run" | "start" | "layout" | "ports" | "signal">,
  images: ImageReader,
  node: NodePlan,
): Promise<void> {
  const s = openSession({ ...ctx, images });
  try {
    for (const [i, line] of (node.exec ?? []).entries()) {
      ctx.signal?.throwIfAborted();
      const r = await nodeKind(node).exec(s, node, ["sh", "-c", line], {
        timeoutMs: EXEC_LINE_TIMEOUT_MS,
      });
      if (r.exitCode !== 0) {
        const said = (r.stderr || r.stdout).trim();
        throw new ExecLineError(
          `${node.name}: exec line ${i + 1} failed (exit code ${r.exitCode}): ${line}${said ? `\n  ${said.split("\n").join("\n  ")}` : ""}`,
          ["nodes", node.name, "exec", i],
        );
      }
    }
  } finally {
    await closeSession(s);
  }
}

/** @param images - reads the guest image (a VM's agent needs nothing of it; sessions carry it) */
export function execProvider(images: ImageReader): Provider<void> {
  return {
    name: "exec",
    findableByName: false,
    uses: (plan) => withLines(plan).length > 0,
    tools: () => [],
    preflight: async () => undefined,
    owns: () => ({}),
    async start(ctx) {
      const nodes = withLines(ctx.plan);
      await eachSettled(nodes, (n) => runExecLines(ctx, images, n), {
        concurrency: ctx.concurrency,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
    },
    retire: async () => undefined,
    // New and rebuilt nodes run their lines; kept ones keep what their lines did.
    async apply(ctx) {
      const had = new Set(ctx.before.nodes.map((n) => n.name));
      const nodes = withLines(ctx.plan).filter((n) => !had.has(n.name) || ctx.rebuilt.has(n.name));
      await eachSettled(nodes, (n) => runExecLines(ctx, images, n), {
        concurrency: ctx.concurrency,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
    },
    destroy: async () => ({}),
  };
}
