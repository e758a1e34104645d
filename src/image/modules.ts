/**
 * Kernel module load order from `modules.dep` (depmod(8) format:
 * `path: dependency-path …`).
 */

/**
 * @param modulesDep - contents of modules.dep
 * @param wanted - module names without `.ko`, e.g. `virtio_net`
 * @returns module paths (relative to the modules directory), dependencies first, each once
 * @throws {Error} when a wanted module is not in the kernel
 */
export function moduleLoadOrder(modulesDep: string, wanted: readonly string[]): string[] {
  const deps = new Map<string, string[]>();
  const byName = new Map<string, string>();
  for (const line of modulesDep.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const path = line.slice(0, colon);
    deps.set(
      path,
      line
        .slice(colon + 1)
        .trim()
        .split(/\s+/)
        .filter(Boolean),
    );
    byName.set(moduleName(path), path);
  }
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const d of deps.get(path) ?? []) visit(d);
    order.push(path);
  };
  for (const name of wanted) {
    const path = byName.get(name) ?? byName.get(name.replace(/-/g, "_"));
    if (!path) throw new Error(`kernel module ${name} is not in modules.dep`);
    visit(path);
  }
  return order;
}

/** `kernel/drivers/net/virtio_net.ko(.xz)` → `virtio_net` */
export function moduleName(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return base.replace(/\.ko(\.(xz|zst|gz))?$/, "").replace(/-/g, "_");
}
