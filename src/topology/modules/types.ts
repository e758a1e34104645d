/**
 * What the topology layer knows of a configuration module (netlab's word:
 * a routing protocol or feature a node runs, `module: [ospf, bgp]`): the
 * attributes it takes at each level of the topology, its defaults, which
 * of its global attributes stay global, and the netlab attributes wirelab
 * does not implement (errors that name them, never silently dropped).
 */
import type { z } from "zod";

/** The modules wirelab runs (netlab's names). */
export type ModuleName = "ospf" | "bgp" | "isis" | "routing";

/** Where a module attribute is written. */
export type ModuleLevel = "global" | "node" | "link" | "interface";

/** One module, for the loader. */
export interface ModuleSpec {
  readonly name: ModuleName;
  /** One line for messages, e.g. "OSPFv2 and OSPFv3". */
  readonly summary: string;
  /** Devices that can run it (netlab's `supported_on`, for the devices wirelab runs). */
  readonly devices: readonly string[];
  /** The attribute map at each level (zod, strict: unknown keys are errors). */
  readonly schemas: { readonly [L in ModuleLevel]?: z.ZodType };
  /**
   * netlab attributes of the module wirelab does not implement, per level,
   * with what to do instead (e.g. `bfd: "needs netlab's bfd module"`).
   */
  readonly notImplemented: { readonly [L in ModuleLevel]?: Readonly<Record<string, string>> };
  /** Module defaults (netlab's module defaults file), merged under every node's values. */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Global attributes that stay global (netlab's `no_propagate`). */
  readonly noPropagate: readonly string[];
  /** A link or interface may switch the module off with `MODULE: false`. */
  readonly canBeFalse: boolean;
}
