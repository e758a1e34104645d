/**
 * `wirelab import FILE`: the wirelab topology equivalent to a containerlab
 * file (see `clab.ts`), as YAML. The file is checked in full first, so an
 * import never writes a topology that `up` would refuse.
 */
import { stringify } from "yaml";
import { WirelabError } from "../errors.js";
import { fromClab, isClabTopology } from "./clab.js";
import { located, parseTopologyPartial } from "./load.js";
import { parseSource } from "./source.js";

/**
 * @param text - the file's text
 * @param file - its name, for messages
 * @returns YAML text of the wirelab topology
 * @throws {TopologyError} with every problem, located in the original file
 * @throws {WirelabError} when the file is not a containerlab topology
 */
export function importTopology(text: string, file: string): string {
  const checked = parseTopologyPartial(text, file);
  if (checked.problems.length) throw located(checked.source, checked.problems);
  const { source } = parseSource(text, file);
  const data: unknown = source.doc.toJS() ?? {};
  if (!isClabTopology(data)) {
    throw new WirelabError(
      `${file} is not a containerlab topology (no topology.nodes); a wirelab or netlab-style file is used as it is`,
    );
  }
  const { data: wirelab } = fromClab(data as Record<string, unknown>, []);
  return `# wirelab topology imported from ${file} (containerlab)\n${stringify(wirelab, { lineWidth: 0 })}`;
}
