/**
 * `wirelab create`: writes a lab for another tool from the same plan `up`
 * runs — shell scripts, a containerlab topology, or libvirt XML.
 */
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { WirelabError } from "../errors.js";
import { defaultRunner, type Runner } from "../exec.js";
import { readImage } from "../image/build.js";
import { loadAndPlan } from "../lab/load-plan.js";
import { StateStore } from "../lab/state.js";
import type { LabPlan } from "../plan/types.js";
import { chooseAccel } from "../providers/qemu/accel.js";
import { allocatePorts, portsOf } from "../providers/qemu/ports.js";
import { writeNodeInitrd } from "../providers/qemu/provider.js";
import { clabExport } from "./clab.js";
import { libvirtExport } from "./libvirt.js";
import { scriptExport } from "./script.js";
import { vagrantExport } from "./vagrant.js";

/** What `create` can write. */
export const OUTPUTS = ["script", "clab", "libvirt", "vagrant"] as const;
export type Output = (typeof OUTPUTS)[number];

/**
 * @param file - topology file
 * @param output - kind of output
 * @param dir - folder to write into (created if missing)
 * @returns the paths written
 * @throws {TopologyError} for an invalid topology (nothing is written)
 * @throws {WirelabError} when the lab has nothing the output can describe
 */
export async function createExport(
  file: string,
  output: Output,
  dir: string,
  options: { readonly run?: Runner; readonly store?: StateStore } = {},
): Promise<string[]> {
  const { plan } = await loadAndPlan(file);
  const outDir = resolve(dir);
  let files: Record<string, string>;
  const initrds: string[] = [];
  if (output === "script") {
    const hasVms = plan.nodes.some((n) => n.vm);
    let vm: Parameters<typeof scriptExport>[2];
    if (hasVms) {
      const image = await readImage();
      if (!image) throw new WirelabError("the guest image is not built; run: wirelab image build");
      const store = options.store ?? new StateStore();
      const others = (await store.list()).filter((s) => s.lab !== plan.lab);
      const ports = await allocatePorts(plan, new Set(others.flatMap((s) => portsOf(s.ports))));
      vm = { image, ports, accel: await chooseAccel(options.run ?? defaultRunner, image) };
      for (const n of plan.nodes) if (n.vm && !n.vm.userImage) initrds.push(n.name);
    }
    files = { ...scriptExport(plan, file, vm) };
  } else if (output === "clab") files = { [`${plan.lab}.clab.yml`]: clabExport(plan, file) };
  else {
    const image = await readImage();
    const store = options.store ?? new StateStore();
    const others = (await store.list()).filter((s) => s.lab !== plan.lab);
    const ports = await allocatePorts(
      tunnelsForVmPairs(plan),
      new Set(others.flatMap((s) => portsOf(s.ports))),
    );
    const ctx = { dir: outDir, ports, ...(image ? { image } : {}) };
    files =
      output === "vagrant"
        ? { Vagrantfile: vagrantExport(plan, file, ctx) }
        : libvirtExport(plan, ctx);
    for (const n of plan.nodes) if (n.vm && !n.vm.userImage) initrds.push(n.name);
    if (initrds.length && !image)
      throw new WirelabError("the guest image is not built; run: wirelab image build");
  }
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const path = join(outDir, name);
    await writeFile(path, text);
    if (name.endsWith(".sh")) await chmod(path, 0o755);
    written.push(path);
  }
  const image = initrds.length ? await readImage() : undefined;
  for (const node of initrds) {
    const n = plan.nodes.find((x) => x.name === node);
    if (!n || !image) continue;
    const initrd = join(outDir, `${node}.initrd`);
    await writeNodeInitrd(options.run ?? defaultRunner, image, n, { dir: outDir, initrd });
    written.push(initrd);
  }
  return written;
}

/** The plan with every VM↔VM p2p link as a QEMU UDP tunnel: what libvirt can express. */
function tunnelsForVmPairs(plan: LabPlan): LabPlan {
  const vms = new Set(plan.nodes.filter((n) => n.vm).map((n) => n.name));
  return {
    ...plan,
    links: plan.links.map((l) =>
      l.type === "p2p" && l.endpoints.every((e) => vms.has(e.node))
        ? {
            name: l.name,
            type: "p2p",
            transport: "udp",
            subnets: l.subnets,
            endpoints: [
              { node: l.endpoints[0]?.node ?? "", interface: l.endpoints[0]?.interface ?? "" },
              { node: l.endpoints[1]?.node ?? "", interface: l.endpoints[1]?.interface ?? "" },
            ],
          }
        : l,
    ),
  };
}
