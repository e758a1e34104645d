/**
 * wirelab's library API: load and plan topologies, build and remove labs,
 * inspect and test them. The CLI is a thin layer over these functions.
 */
export type { Diagnostic, DiagnosticCode } from "./errors.js";
export {
  formatDiagnostic,
  LabError,
  PermissionError,
  TopologyError,
  WirelabError,
} from "./errors.js";
export type { Runner, RunOptions, RunResult } from "./exec.js";
export { CommandError, defaultRunner } from "./exec.js";
export type { DownOptions, DownResult } from "./lab/down.js";
export { down } from "./lab/down.js";
export type { ExecOptions, ExecResult } from "./lab/exec.js";
export { execInNode } from "./lab/exec.js";
export { loadAndPlan, planText } from "./lab/load-plan.js";
export type { LabTarget } from "./lab/resolve.js";
export type { LabState } from "./lab/state.js";
export { defaultStateDir, StateStore } from "./lab/state.js";
export type { InterfaceStatus, LabStatus, NodeStatus, StatusOptions } from "./lab/status.js";
export { labStatus } from "./lab/status.js";
export type { UpOptions, UpResult } from "./lab/up.js";
export { up } from "./lab/up.js";
export type { ProgressEvent, Reporter } from "./log.js";
export { diffPlans } from "./plan/diff.js";
export { nodeAddress, planLab } from "./plan/plan.js";
export type * from "./plan/types.js";
export type { LoadedTopology } from "./topology/load.js";
export { loadTopologyFile, parseTopology } from "./topology/load.js";
export type { TopologyInput } from "./topology/schema.js";
export type * from "./topology/types.js";
export type { TestResult, ValidateOptions, ValidateResult } from "./validate/validate.js";
export { validateLab } from "./validate/validate.js";
