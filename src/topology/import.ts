/**
 * `wirelab import FILE`: the wirelab topology equivalent to a containerlab
 * or netlab file (see `clab.ts`, `netlab.ts`), as YAML. The file is checked in full first, so an
 * import never writes a topology that `up` would refuse.
 */
import { dirname, relative, resolve } from "node:path";
import { stringify } from "yaml";
import { WirelabError } from "../errors.js";
import { fromClab, isClabTopology } from "./clab.js";
import { located, parseTopologyPartial } from "./load.js";
import { fromNetlab, isNetlabTopology } from "./netlab.js";
import { parseSource } from "./source.js";

/**
 * @param text - the file's text
 * @param file - its name, for messages (paths in it are relative to its folder)
 * @param out - where the result will be written (its paths are made relative to that folder); default: standard output, read from the current folder
 * @returns YAML text of the wirelab topology
 * @throws {TopologyError} with every problem, located in the original file
 * @throws {WirelabError} when the file is neither a containerlab nor a netlab topology
 */
export function importTopology(text: string, file: string, out?: string): string {
  const checked = parseTopologyPartial(text, file);
  if (checked.problems.length) throw located(checked.source, checked.problems);
  const { source } = parseSource(text, file);
  const data: unknown = source.data ?? {};
  if (isClabTopology(data)) {
    const { data: wirelab } = fromClab(data as Record<string, unknown>, [], dirname(file));
    // A router's files, from the new file's folder.
    const from = resolve(out ? dirname(out) : ".");
    for (const node of Object.values(wirelab.nodes as Record<string, Record<string, unknown>>))
      for (const key of ["config", "daemons"])
        if (typeof node[key] === "string")
          node[key] = relative(from, resolve(dirname(file), node[key] as string)) || ".";
    return `# wirelab topology imported from ${file} (containerlab)\n${stringify(wirelab, { lineWidth: 0 })}`;
  }
  if (isNetlabTopology(data)) {
    const wirelab = fromNetlab(data as Record<string, unknown>, []);
    return `# wirelab topology imported from ${file} (netlab)\n${stringify(wirelab, { lineWidth: 0 })}`;
  }
  throw new WirelabError(
    `${file} is neither a containerlab (topology.nodes) nor a netlab topology (provider, groups, device…); wirelab reads it as it is`,
  );
}
