/**
 * Checks made before touching the kernel: privileges and tools. They run
 * first, so a failing command has changed nothing.
 */
import { readFileSync } from "node:fs";
import { PermissionError, WirelabError } from "./errors.js";
import { findOnPath } from "./find-tool.js";

/** CAP_NET_ADMIN (12) and CAP_SYS_ADMIN (21, for `ip netns add` mounts); linux/capability.h. */
const NEEDED_CAPS = [12n, 21n];

/** What each command does that needs root, for its message. */
const WHY_ROOT: Readonly<Record<string, string>> = {
  up: "creates namespaces, links and VMs",
  down: "removes the lab's namespaces, links and VMs",
  restart: "rebuilds a node's namespace or restarts its VM",
  "link impair": "changes how the lab's wire daemon carries a link",
  "link up": "changes the state of the lab's interfaces",
  "link down": "changes the state of the lab's interfaces",
  "link show": "reads the lab's interfaces and its wire daemon",
  status: "reads the lab's namespaces, VMs and wire daemon",
  exec: "enters the lab's namespaces and VMs",
  validate: "runs its tests inside the lab's namespaces and VMs",
  console: "opens a VM's serial console socket, which only root can open",
  save: "asks the routers in the lab's namespaces and VMs for their configuration",
  capture: "runs tcpdump on the lab's interfaces",
  "image build": "builds the guest image in a root-owned cache",
};

/**
 * Throws unless the process has root's powers over namespaces and links.
 *
 * @param command - the command name, e.g. `link impair`, for the message
 * @throws {PermissionError} when CAP_NET_ADMIN or CAP_SYS_ADMIN is missing
 */
export function requireRoot(command: string): void {
  if (hasCapabilities()) return;
  const why = WHY_ROOT[command] ?? "works on the lab's namespaces and VMs";
  throw new PermissionError(
    `wirelab ${command} needs root: it ${why}; run it as root or with sudo`,
  );
}

function hasCapabilities(): boolean {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
    if (!m?.[1]) return process.getuid?.() === 0;
    const caps = BigInt(`0x${m[1]}`);
    return NEEDED_CAPS.every((c) => (caps >> c) & 1n);
  } catch {
    return process.getuid?.() === 0;
  }
}

/** Debian packages that provide each tool wirelab runs. */
const PACKAGES: Record<string, string> = {
  ip: "iproute2",
  tc: "iproute2",
  sysctl: "procps",
  ping: "iputils-ping",
  tcpdump: "tcpdump",
  socat: "socat",
  ethtool: "ethtool",
  dot: "graphviz",
  "qemu-system-x86_64": "qemu-system-x86",
  "apt-get": "apt",
  "apt-cache": "apt",
  "dpkg-deb": "dpkg",
  depmod: "kmod",
  cpio: "cpio",
  flock: "util-linux",
  setpriv: "util-linux",
  nsenter: "util-linux",
  unshare: "util-linux",
  mount: "mount",
  umount: "mount",
  vtysh: "frr",
  "/usr/lib/frr/watchfrr.sh": "frr",
};

/**
 * Throws unless every tool is on the PATH.
 *
 * @param tools - program names, e.g. `["ip", "sysctl"]`
 * @throws {WirelabError} naming the missing tools and their Debian packages
 */
export function requireTools(tools: readonly string[]): void {
  const missing = tools.filter((t) => findOnPath(t) === undefined);
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((t) => PACKAGES[t] ?? t))];
    throw new WirelabError(
      `missing tools: ${missing.join(", ")}; install them with: apt-get install ${pkgs.join(" ")}`,
    );
  }
}

/** The checks commands make before touching anything (injected, so tests can run without root). */
export interface Preflight {
  /** @throws {PermissionError} without CAP_NET_ADMIN and CAP_SYS_ADMIN */
  requireRoot(command: string): void;
  /** @throws {WirelabError} naming missing tools and their Debian packages */
  requireTools(tools: readonly string[]): void;
}

/** The real checks. */
export const systemPreflight: Preflight = { requireRoot, requireTools };
