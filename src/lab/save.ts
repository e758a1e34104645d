/**
 * `save` (containerlab's word): every router's running configuration
 * (FRR's `show running-config`) written to `DIR/<node>/frr.conf`, so that a
 * later `up` can start from it with `config:`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { LabError } from "../errors.js";
import { isRouter } from "../plan/devices/index.js";
import { deviceRuntime } from "../providers/devices.js";
import { type LabDeps, resolveDeps } from "./deps.js";
import { type LabTarget, requireLab } from "./resolve.js";
import { withSession } from "./session.js";

/** Options of {@link saveConfigs}. */
export interface SaveOptions extends LabDeps {
  /** Folder to write into; default `wirelab-<lab>/` next to the lab's topology file. */
  readonly dir?: string;
}

/** What {@link saveConfigs} wrote. */
export interface SaveResult {
  readonly lab: string;
  readonly dir: string;
  /** One per router: its node and the file written. */
  readonly saved: readonly { readonly node: string; readonly file: string }[];
}

/**
 * Writes every router's running configuration.
 *
 * @throws {LabError} when the lab is not up, has no router, or a router does not answer
 */
export async function saveConfigs(
  target: LabTarget,
  options: SaveOptions = {},
): Promise<SaveResult> {
  const deps = resolveDeps(options);
  deps.preflight.requireRoot("save");
  const state = await requireLab(deps.store, target);
  const routers = state.plan.nodes.filter(isRouter);
  if (routers.length === 0)
    throw new LabError(`lab "${state.lab}" has no router (device: frr): nothing to save`);
  const dir = options.dir ?? join(dirname(state.file), `wirelab-${state.lab}`);
  const saved = await withSession(state, deps, async (s) => {
    const out: { node: string; file: string }[] = [];
    for (const n of routers) {
      const config = await deviceRuntime(n).runningConfig(s, n);
      const file = join(dir, n.name, "frr.conf");
      await mkdir(dirname(file), { recursive: true }).catch((e: NodeJS.ErrnoException) => {
        throw new LabError(`cannot write to ${dirname(file)} (${e.code ?? e.message})`);
      });
      await writeFile(file, config);
      out.push({ node: n.name, file });
    }
    return out;
  });
  return { lab: state.lab, dir, saved };
}
