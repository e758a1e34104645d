/**
 * First pass over the file: the top-level keys and each section's shape,
 * each section on its own so that every problem is found in one run. A
 * section with problems is replaced by an empty value for the later passes.
 */

import type { z } from "zod";
import type { Diagnostic } from "../errors.js";
import { isModuleName } from "./modules/index.js";
import { moduleAttrs } from "./netlab-only.js";
import { isPlainObject } from "./origins.js";
import { type TopologyInput, topologySchema } from "./schema.js";
import { didYouMean, show } from "./suggest.js";
import { issuesToDiagnostics } from "./zod-issues.js";

const SECTION_KEYS = Object.keys(topologySchema.shape) as (keyof TopologyInput)[];

/**
 * @param data - the whole document as plain data
 * @param diagnostics - problems are appended here
 * @returns the sections that are well-formed (others left out)
 */
export function parseSections(data: unknown, diagnostics: Diagnostic[]): Partial<TopologyInput> {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    diagnostics.push({
      code: "bad-type",
      message: `a topology is a map with "nodes" and "links"; got ${show(data)}`,
      path: [],
    });
    return {};
  }
  const raw = data as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!(SECTION_KEYS as string[]).includes(key)) {
      diagnostics.push({
        code: "unknown-key",
        message: `unknown key "${key}"${didYouMean(key, SECTION_KEYS)}; known keys: ${SECTION_KEYS.join(", ")}`,
        path: [key],
        atKey: true,
      });
    }
  }
  if (!("nodes" in raw)) {
    diagnostics.push({
      code: "bad-type",
      message: `the topology has no "nodes"; add a list or map of nodes`,
      path: [],
    });
  }
  const out: Record<string, unknown> = {};
  for (const key of SECTION_KEYS) {
    if (!(key in raw)) continue;
    const schema = topologySchema.shape[key] as z.ZodType;
    // A module's global attributes wirelab does not implement are named as such, not unknown.
    const value =
      isModuleName(key) && isPlainObject(raw[key])
        ? moduleAttrs(key, raw[key], "global", [key], diagnostics)
        : raw[key];
    const parsed = schema.safeParse(value);
    if (parsed.success) out[key] = parsed.data;
    else diagnostics.push(...issuesToDiagnostics(parsed.error.issues, value, schema, [key]));
  }
  return out as Partial<TopologyInput>;
}
