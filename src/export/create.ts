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
  const run = options.run ?? defaultRunner;
  // Every wirelab-image VM gets its initramfs written next to the output; they need the image.
  const guests = plan.nodes.filter((n) => n.vm && !n.vm.userImage);
  const image = output !== "clab" && plan.nodes.some((n) => n.vm) ? await readImage() : undefined;
  if (guests.length && output !== "clab" && !image)
    throw new WirelabError("the guest image is not built; run: wirelab image build");
  /** Ports for the tunnels, never one another lab holds. */
  const ports = async (p: LabPlan) => {
    const store = options.store ?? new StateStore();
    const others = (await store.list()).filter((s) => s.lab !== plan.lab);
    return allocatePorts(p, new Set(others.flatMap((s) => portsOf(s.ports))));
  };
  let files: Record<string, string>;
  if (output === "clab") files = { [`${plan.lab}.clab.yml`]: clabExport(plan, file) };
  else if (output === "script") {
    const vm = image && {
      image,
      ports: await ports(plan),
      accel: await chooseAccel(run, image),
    };
    files = { ...scriptExport(plan, file, vm || undefined) };
  } else {
    const ctx = {
      dir: outDir,
      ports: await ports(tunnelsForVmPairs(plan)),
      ...(image ? { image } : {}),
    };
    files =
      output === "vagrant"
        ? { Vagrantfile: vagrantExport(plan, file, ctx) }
        : libvirtExport(plan, ctx);
  }
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const path = join(outDir, name);
    await writeFile(path, text);
    if (name.endsWith(".sh")) await chmod(path, 0o755);
    written.push(path);
  }
  if (output !== "clab" && image) {
    for (const n of guests) {
      const initrd = join(outDir, `${n.name}.initrd`);
      await writeNodeInitrd(run, image, n, { dir: outDir, initrd });
      written.push(initrd);
    }
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
