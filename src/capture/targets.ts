/**
 * What `wirelab capture` is asked to capture: `NODE IFNAME` pairs, then
 * the BPF filter, on its command line; `--node NODE` (every interface of
 * the node) and `--link NAME`, each as often as wanted.
 */
import { LabError } from "../errors.js";
import { type LabDeps, resolveDeps } from "../lab/deps.js";
import { type LabTarget, requireLab } from "../lab/resolve.js";
import type { LabPlan } from "../plan/types.js";
import type { CaptureTarget } from "./capture.js";

/** A capture as asked for. */
export interface CaptureRequest {
  /** `NODE IFNAME` pairs, then filter words. */
  readonly words: readonly string[];
  /** Nodes whose every interface is captured. */
  readonly nodes?: readonly string[];
  /** Links captured whole. */
  readonly links?: readonly string[];
}

/** The targets, in the order asked (each once), and the filter words. */
export interface CaptureTargets {
  readonly targets: readonly CaptureTarget[];
  readonly filter: readonly string[];
}

/**
 * Splits a request against a plan: leading words are `NODE IFNAME` pairs
 * while the first of two is a node of the lab; the rest is the filter.
 *
 * @throws {LabError} for a node's word not followed by one of its interfaces, an unknown `--node`, or nothing to capture
 */
export function captureTargets(plan: LabPlan, req: CaptureRequest): CaptureTargets {
  const byName = new Map(plan.nodes.map((n) => [n.name, n]));
  const targets: CaptureTarget[] = [];
  const seen = new Set<string>();
  const add = (t: CaptureTarget) => {
    const key = "link" in t ? `link ${t.link}` : `${t.node} ${t.ifname}`;
    if (seen.has(key)) return;
    seen.add(key);
    targets.push(t);
  };
  let i = 0;
  for (; i < req.words.length; i += 2) {
    const node = byName.get(req.words[i] as string);
    if (!node) break;
    const ifname = req.words[i + 1];
    if (ifname === undefined || !node.interfaces.some((x) => x.ifname === ifname))
      throw new LabError(
        `node "${node.name}" has no interface ${ifname === undefined ? "named after it" : `"${ifname}"`} (it has: ${node.interfaces.map((x) => x.ifname).join(", ")}); capture takes NODE IFNAME pairs, then the filter`,
      );
    add({ node: node.name, ifname });
  }
  for (const name of req.nodes ?? []) {
    const node = byName.get(name);
    if (!node)
      throw new LabError(
        `lab "${plan.lab}" has no node "${name}" (nodes are: ${plan.nodes.map((n) => n.name).join(", ")})`,
      );
    for (const x of node.interfaces) add({ node: node.name, ifname: x.ifname });
  }
  for (const link of req.links ?? []) add({ link });
  if (targets.length === 0)
    throw new LabError(
      req.words.length
        ? `lab "${plan.lab}" has no node "${req.words[0]}" (nodes are: ${plan.nodes.map((n) => n.name).join(", ")}); capture takes NODE IFNAME pairs, --node NODE or --link NAME, then the filter`
        : "name what to capture: NODE IFNAME pairs, --node NODE or --link NAME",
    );
  return { targets, filter: req.words.slice(i) };
}

/**
 * {@link captureTargets} against a running lab's plan.
 *
 * @throws {LabError} as {@link captureTargets}, or when the lab is not up
 * @throws {PermissionError} without root (a capture needs it: said before anything else)
 */
export async function resolveCaptureTargets(
  target: LabTarget,
  req: CaptureRequest,
  options: LabDeps = {},
): Promise<CaptureTargets> {
  const deps = resolveDeps(options);
  deps.preflight.requireRoot("capture");
  const state = await requireLab(deps.store, target);
  return captureTargets(state.plan, req);
}
