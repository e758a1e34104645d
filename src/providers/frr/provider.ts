/**
 * The frr provider: the FRR instances the host runs for a lab's namespace
 * routers (`device: frr` on a `kind: linux` node; see `host.ts`). A VM
 * router's FRR runs in its guest and is the guest's. It starts after the
 * namespaces are configured (FRR finds its interfaces with their
 * addresses) and stops before they are deleted.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { eachSettled } from "../../concurrent.js";
import type { Runner } from "../../exec.js";
import { daemonsEnabled } from "../../plan/devices/frr-daemons.js";
import { deviceOf } from "../../plan/devices/index.js";
import { namespaceOf } from "../../plan/kinds/index.js";
import { nodeNamespace } from "../../plan/names.js";
import type { FrrDevicePlan, LabPlan, LinuxNodePlan } from "../../plan/types.js";
import { enterWithMounts } from "../enter.js";
import type { Owned, Provider, ProviderContext, TeardownContext } from "../provider.js";
import { routerFileTexts } from "../router-files.js";
import {
  hasRouterNamespaces,
  inCurrentNamespace,
  makeRouterNamespaces,
  routerPids,
  startRouter,
  stopRouter,
  writeRouterFiles,
} from "./host.js";

/** A namespace router the provider runs FRR for. */
interface HostRouter {
  readonly node: LinuxNodePlan;
  readonly device: FrrDevicePlan;
}

/** The lab's namespace routers. */
export function hostRouters(plan: LabPlan): HostRouter[] {
  return plan.nodes.flatMap((n) => {
    const device = deviceOf(n);
    return device.name === "frr" && namespaceOf(n) !== undefined
      ? [{ node: n as LinuxNodePlan, device }]
      : [];
  });
}

/** What it records: each router's node and namespace (its files are in the lab's folder). */
function routersOwned(owned: Owned): { node: string; namespace: string }[] {
  return Array.isArray(owned.routers)
    ? owned.routers.filter(
        (r): r is { node: string; namespace: string } =>
          !!r &&
          typeof (r as { node?: unknown }).node === "string" &&
          typeof (r as { namespace?: unknown }).namespace === "string",
      )
    : [];
}

/** The daemons a running router must have: those its written `daemons` file runs. */
async function expectedDaemons(
  ctx: Pick<TeardownContext, "layout">,
  node: string,
): Promise<string[]> {
  const text = await readFile(join(ctx.layout.router(node).etc, "daemons"), "utf8").catch(() => "");
  return text ? daemonsEnabled(text) : [];
}

/** Why a router is not whole (missing daemons, lost namespaces), or nothing. */
async function routerTrouble(
  ctx: Pick<TeardownContext, "layout" | "run">,
  r: HostRouter,
): Promise<string[]> {
  const files = ctx.layout.router(r.node.name);
  if (!(await hasRouterNamespaces(r.node.namespace)))
    return [`FRR of ${r.node.name} (its namespaces are gone)`];
  const pids = await routerPids(files);
  const zebra = pids.get("zebra");
  if (zebra !== undefined && !(await inCurrentNamespace(zebra, r.node.namespace, ctx.run)))
    return [`FRR of ${r.node.name} (it runs in a namespace that was deleted)`];
  return (await expectedDaemons(ctx, r.node.name))
    .filter((d) => !pids.has(d))
    .map((d) => `FRR ${d} on ${r.node.name}`);
}

/** Starts one router: its files, its namespaces, its daemons (waited for). */
export async function bringUpRouter(
  ctx: Pick<ProviderContext, "run" | "layout">,
  r: HostRouter,
): Promise<void> {
  const files = ctx.layout.router(r.node.name);
  const daemons = await writeRouterFiles(ctx.run, r.node, r.device, files);
  await makeRouterNamespaces(ctx.run, r.node, files);
  await startRouter(ctx.run, r.node, files, daemons);
}

/**
 * Changes a running router's configuration to its `/etc/frr/frr.conf`
 * without a restart: FRR's `frr-reload.py --reload` (FRR docs, "Reloading")
 * compares it with the running configuration and sends vtysh the
 * difference; sessions and adjacencies that the change does not touch stay
 * up.
 *
 * @throws {CommandError} with frr-reload.py's words when a line is refused
 */
export async function reloadRouter(run: Runner, namespace: string): Promise<void> {
  const [enter, ...args] = enterWithMounts(namespace);
  await run(enter as string, [...args, FRR_RELOAD, "--reload", "/etc/frr/frr.conf"]);
}

/** FRR's reload script, as Debian installs it (it runs on Debian's python3). */
const FRR_RELOAD = "/usr/lib/frr/frr-reload.py";

/** The frr provider (see the module comment). */
export const frrProvider: Provider<void> = {
  name: "frr",
  findableByName: false,
  uses: (plan) => hostRouters(plan).length > 0,
  tools: () => [
    "nsenter",
    "unshare",
    "mount",
    "umount",
    "install",
    "vtysh",
    "/usr/lib/frr/watchfrr.sh",
    FRR_RELOAD,
  ],
  preflight: async () => undefined,
  owns: (plan) => ({
    routers: hostRouters(plan).map((r) => ({ node: r.node.name, namespace: r.node.namespace })),
  }),
  async start(ctx) {
    const routers = hostRouters(ctx.plan);
    let done = 0;
    const step = "starting routers";
    ctx.reporter?.progress?.({ step, done, total: routers.length });
    await eachSettled(
      routers,
      async (r) => {
        await bringUpRouter(ctx, r);
        ctx.reporter?.progress?.({ step, done: ++done, total: routers.length });
      },
      { concurrency: ctx.concurrency, ...(ctx.signal ? { signal: ctx.signal } : {}) },
    );
  },
  async retire(ctx) {
    // Routers that go, or whose namespace is made new: stopped before the namespace goes.
    const kept = new Map(hostRouters(ctx.plan).map((r) => [r.node.name, r]));
    for (const r of hostRouters(ctx.before)) {
      const now = kept.get(r.node.name);
      if (now && !ctx.rebuilt.has(r.node.name) && now.node.namespace === r.node.namespace) continue;
      await stopRouter(ctx.run, r.node.namespace, ctx.layout.router(r.node.name));
    }
  },
  async apply(ctx) {
    const old = new Map(hostRouters(ctx.before).map((r) => [r.node.name, r]));
    for (const r of hostRouters(ctx.plan)) {
      ctx.signal?.throwIfAborted();
      const was = old.get(r.node.name);
      const files = ctx.layout.router(r.node.name);
      if (!was || ctx.rebuilt.has(r.node.name) || !(await hasRouterNamespaces(r.node.namespace))) {
        await bringUpRouter(ctx, r);
        continue;
      }
      const next = (await routerFileTexts(r.node.name, r.device)).files;
      const now = async (name: string) => readFile(join(files.etc, name), "utf8").catch(() => "");
      if ((await now("daemons")) !== next.daemons) {
        // Another set of daemons: FRR starts again (frr-reload.py changes configuration only).
        ctx.reporter?.info?.(`restarting FRR of ${r.node.name}: its daemons changed`);
        await stopRouter(ctx.run, r.node.namespace, files);
        await bringUpRouter(ctx, r);
      } else if ((await now("frr.conf")) !== next["frr.conf"]) {
        await writeRouterFiles(ctx.run, r.node, r.device, files);
        await reloadRouter(ctx.run, r.node.namespace);
        ctx.reporter?.info?.(`reloaded the configuration of ${r.node.name}`);
      }
    }
  },
  async repair(ctx) {
    const repaired: string[] = [];
    for (const r of hostRouters(ctx.plan)) {
      const trouble = await routerTrouble(ctx, r);
      if (trouble.length === 0) continue;
      ctx.reporter?.info?.(`restarting FRR of ${r.node.name}: ${trouble.join(", ")} missing`);
      await stopRouter(ctx.run, r.node.namespace, ctx.layout.router(r.node.name));
      await bringUpRouter(ctx, r);
      repaired.push(`FRR of ${r.node.name}`);
    }
    return { repaired };
  },
  async missing(ctx, plan, stopped) {
    const out: string[] = [];
    for (const r of hostRouters(plan))
      if (!stopped?.has(r.node.name)) out.push(...(await routerTrouble(ctx, r)));
    return out;
  },
  async findOwned(ctx) {
    const nodes = await readdir(join(ctx.layout.dir, "routers")).catch(() => [] as string[]);
    return nodes.length
      ? { routers: nodes.map((node) => ({ node, namespace: nodeNamespace(ctx.lab, node) })) }
      : undefined;
  },
  async destroy(ctx, owned) {
    const stopped: string[] = [];
    for (const r of routersOwned(owned)) {
      const daemons = await stopRouter(ctx.run, r.namespace, ctx.layout.router(r.node));
      stopped.push(...daemons.map((d) => `${d} (${r.node})`));
    }
    return { "FRR daemon": stopped };
  },
};
