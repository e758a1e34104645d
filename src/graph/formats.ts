/** Output formats of `wirelab graph` (a file of its own: the CLI checks it without loading the planner). */
export const GRAPH_FORMATS = ["dot", "svg", "mermaid", "json"] as const;
/** One output format. */
export type GraphFormat = (typeof GRAPH_FORMATS)[number];
