/**
 * Kernel object names. Namespaces carry the lab name so labs never share
 * one; interface names inside a namespace are free of the 15-character limit
 * problem except in the lab namespace, where LAN ports live.
 */
import { MAX_IFNAME } from "../topology/checks.js";
import { fnv1a } from "./mac.js";

/** Prefix of every namespace wirelab creates. */
export const NAMESPACE_PREFIX = "wl-";

/** `wl-<lab>-<node>` */
export function nodeNamespace(lab: string, node: string): string {
  return `${NAMESPACE_PREFIX}${lab}-${node}`;
}

/** `wl-<lab>`: holds the lab's LAN bridges, away from the host's namespace. */
export function labNamespace(lab: string): string {
  return `${NAMESPACE_PREFIX}${lab}`;
}

/**
 * Five hex digits that tag a lab's objects in the host namespace (taps, vEth
 * ends), where names are shared by every lab and limited to 15 characters.
 * `up` refuses to run if another lab's object holds a name.
 */
export function hostTag(lab: string): string {
  return (fnv1a(lab) & 0xfffff).toString(16).padStart(5, "0");
}

/** A VM's tap in the host namespace: `wl<tag>t<n>`. */
export function tapName(lab: string, n: number): string {
  return `wl${hostTag(lab)}t${n}`;
}

/** Host end of a vEth that carries a tap's frames: `wl<tag>v<n>`. */
export function hostVethName(lab: string, n: number): string {
  return `wl${hostTag(lab)}v${n}`;
}

/**
 * A helper vEth of a link spliced onto the wire daemon live: `wl<tag>s<n>`,
 * the same name at its end in the host's namespace and in the node's.
 */
export function spliceHelperName(lab: string, n: number): string {
  return `wl${hostTag(lab)}s${n}`;
}

/**
 * The bridge of the n-th LAN of VMs in an exported libvirt lab:
 * `wl<tag>b<n>`, tagged like the lab's own host devices.
 */
export function exportBridgeName(lab: string, n: number): string {
  return `wl${hostTag(lab)}b${n}`;
}

/**
 * The host tap of a VM NIC in an exported Vagrant lab (`libvirt__iface_name`):
 * `wl<tag>g<k>`, k counting the lab's VM NICs from 1, tagged like the lab's
 * own host devices but never one of their names.
 */
export function exportTapName(lab: string, k: number): string {
  return `wl${hostTag(lab)}g${k}`;
}

/**
 * Hands out unique names within one namespace: the preferred name when free
 * and short enough, else the fallback with a numeric suffix.
 */
export class UniqueNames {
  private readonly used = new Set<string>();

  /** Marks a name as taken. */
  reserve(name: string): void {
    this.used.add(name);
  }

  has(name: string): boolean {
    return this.used.has(name);
  }

  /**
   * @param preferred - the readable name
   * @param fallback - a short name to use (with a suffix if needed) otherwise
   * @param maxLength - length limit @default 15 (IFNAMSIZ - 1)
   */
  take(preferred: string, fallback: string, maxLength = MAX_IFNAME): string {
    let name = preferred.length <= maxLength && !this.used.has(preferred) ? preferred : fallback;
    for (let i = 2; this.used.has(name); i++) name = `${fallback}-${i}`;
    this.used.add(name);
    return name;
  }
}
