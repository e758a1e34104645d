/**
 * Node IDs (netlab docs, "Nodes", and netlab's `augment/nodes.py`): the
 * IDs written are kept (each once), the other nodes take the lowest free
 * ID in node order, from 1. A node's ID numbers its loopback, its host
 * address on LANs, its router ID without a loopback and its IS-IS system
 * ID. Without written IDs a node's ID is its position.
 */
import type { Diagnostic } from "../errors.js";
import type { Topology } from "../topology/types.js";

/**
 * @param diagnostics - an ID written twice is reported here
 * @returns the ID of each node, by position in `topology.nodes`
 */
export function assignNodeIds(topology: Topology, diagnostics: Diagnostic[]): number[] {
  const taken = new Map<number, string>();
  for (const n of topology.nodes) {
    if (n.id === undefined) continue;
    const first = taken.get(n.id);
    if (first !== undefined) {
      diagnostics.push({
        code: "bad-value",
        message: `node "${n.name}" has id ${n.id}, which is also the id of "${first}"; give each node its own id`,
        path: [...n.path, "id"],
      });
    } else taken.set(n.id, n.name);
  }
  let next = 1;
  return topology.nodes.map((n) => {
    if (n.id !== undefined) return n.id;
    while (taken.has(next)) next++;
    taken.set(next, n.name);
    return next++;
  });
}
