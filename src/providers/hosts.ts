/**
 * Where a namespace node's hosts file is: `/etc/netns/NS/hosts`, which
 * `ip netns exec` binds on `/etc/hosts` for every command it runs
 * (ip-netns(8)); a node with its own mount namespace (a router) binds the
 * same file there itself. The text is the plan's (`plan/hosts.ts`). The
 * folder goes with its namespace.
 */
import { mkdir, rm, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** iproute2's folder of per-namespace files. */
export const NETNS_ETC = "/etc/netns";

/** The hosts file of namespace `namespace`. */
export const hostsFileOf = (namespace: string): string => join(NETNS_ETC, namespace, "hosts");

/** Writes the hosts file of each namespace. */
export async function writeHostsFiles(namespaces: readonly string[], text: string): Promise<void> {
  for (const ns of namespaces) {
    await mkdir(join(NETNS_ETC, ns), { recursive: true });
    await writeFile(hostsFileOf(ns), text);
  }
}

/** Removes the hosts file wirelab wrote for a namespace, and its folder when nothing else is in it. */
export async function removeHostsFile(namespace: string): Promise<void> {
  await rm(hostsFileOf(namespace), { force: true });
  try {
    await rmdir(join(NETNS_ETC, namespace));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Gone already, or holding a file that is not wirelab's: left alone.
    if (code !== "ENOENT" && code !== "ENOTEMPTY" && code !== "EEXIST") throw e;
  }
}
