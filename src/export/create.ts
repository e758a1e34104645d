/**
 * `wirelab create`: writes a lab for another tool from the same plan `up`
 * runs — shell scripts, a containerlab topology, libvirt XML or a
 * Vagrantfile.
 */
import { chmod, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { makeDirs } from "../dirs.js";
import { WirelabError } from "../errors.js";
import { type LabDeps, resolveDeps } from "../lab/deps.js";
import { deviceOf, isRouter } from "../plan/devices/index.js";
import { hostsText } from "../plan/hosts.js";
import { kindSpec } from "../plan/kinds/index.js";
import { usesGuestImage, vmNodes } from "../plan/kinds/vm.js";
import { loadAndPlan } from "../plan/load-plan.js";
import { allPorts, type PortRequest } from "../plan/ports.js";
import { portRequests } from "../plan/transports/index.js";
import { chooseAccel } from "../providers/qemu/accel.js";
import { writeNodeInitrd } from "../providers/qemu/initrd.js";
import { routerFileTexts } from "../providers/router-files.js";
import { clabExport, clabRouterFiles } from "./clab.js";
import { libvirtExport, tunnelPortRequests } from "./libvirt.js";
import type { Output } from "./outputs.js";
import { scriptExport } from "./script.js";
import { vagrantExport } from "./vagrant.js";

export type { Output } from "./outputs.js";

/** Options of {@link createExport}. */
export interface CreateOptions extends LabDeps {
  /** Device of nodes that name none (netlab's `-d`). */
  readonly device?: string;
}

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
  options: CreateOptions = {},
): Promise<string[]> {
  const deps = resolveDeps(options);
  const { plan } = await loadAndPlan(file, {
    ...(options.device !== undefined ? { device: options.device } : {}),
  });
  // Only containerlab's output starts a router's software and runs exec lines (its own exec).
  if (output !== "clab") {
    const routers = plan.nodes.filter(isRouter).map((n) => n.name);
    if (routers.length)
      throw new WirelabError(
        `the ${output} output does not start routers' software yet (device: frr): ${routers.join(", ")}; use --output clab, or run the lab with wirelab up`,
      );
    const withExec = plan.nodes.filter((n) => n.exec?.length).map((n) => n.name);
    if (withExec.length)
      throw new WirelabError(
        `the ${output} output does not run nodes' exec lines yet: ${withExec.join(", ")}; use --output clab, or run the lab with wirelab up`,
      );
  }
  const outDir = resolve(dir);
  // Every VM of wirelab's image gets its initramfs written next to the output; they need the image.
  const vms = vmNodes(plan);
  const guests = vms.filter(usesGuestImage);
  const image = output !== "clab" && vms.length ? await deps.images() : undefined;
  if (guests.length && output !== "clab" && !image)
    throw new WirelabError("the guest image is not built; run: wirelab image build");
  /** Ports for the tunnels, never one another lab holds. */
  const ports = async (requests: readonly PortRequest[]) => {
    const others = (await deps.store.list()).filter((s) => s.lab !== plan.lab);
    return deps.allocatePorts(
      plan.lab,
      requests,
      new Set(others.flatMap((s) => allPorts(s.ports))),
    );
  };
  let files: Record<string, string>;
  if (output === "clab") {
    const routers = new Map<string, Record<string, string>>();
    for (const n of plan.nodes) {
      const device = deviceOf(n);
      if (device.name === "frr" && kindSpec(n.kind).exportTo.clab)
        routers.set(n.name, (await routerFileTexts(n.name, device)).files);
    }
    files = {
      [`${plan.lab}.clab.yml`]: clabExport(plan, file, routers),
      ...clabRouterFiles(routers),
    };
  } else if (output === "script") {
    const vm = image && {
      image,
      ports: await ports(portRequests(plan)),
      accel: await chooseAccel(deps.run, image),
    };
    files = { ...scriptExport(plan, file, vm || undefined) };
  } else {
    const ctx = {
      dir: outDir,
      ports: await ports(tunnelPortRequests(plan)),
      ...(image ? { image } : {}),
    };
    files =
      output === "vagrant"
        ? { Vagrantfile: vagrantExport(plan, file, ctx) }
        : libvirtExport(plan, ctx);
  }
  const written: string[] = [];
  try {
    await makeDirs(outDir);
    for (const [name, text] of Object.entries(files)) {
      // A router's files go in a folder of its own.
      await makeDirs(dirname(join(outDir, name)));
      await writeFile(join(outDir, name), text);
    }
  } catch (e) {
    throw new WirelabError(`cannot write to ${outDir}: ${(e as Error).message.split(", ")[0]}`);
  }
  for (const name of Object.keys(files)) {
    const path = join(outDir, name);
    if (name.endsWith(".sh")) await chmod(path, 0o755);
    written.push(path);
  }
  if (output !== "clab" && image) {
    for (const n of guests) {
      const initrd = join(outDir, `${n.name}.initrd`);
      await writeNodeInitrd(deps.run, image, n, { dir: outDir, initrd }, hostsText(plan));
      written.push(initrd);
    }
  }
  return written;
}
