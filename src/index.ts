/**
 * wirelab's library API: load and plan topologies, build and remove labs,
 * inspect, change, capture and test them, write them for other tools. The
 * CLI calls nothing else.
 */

export type { CapturedFrame, CaptureOptions, CaptureTarget } from "./capture/capture.js";
export { startCapture } from "./capture/capture.js";
export type { SummaryPrinter } from "./capture/summary.js";
export { startSummary } from "./capture/summary.js";
export type { CaptureSummary, CaptureToStreamOptions } from "./capture/to-stream.js";
export { captureToStream } from "./capture/to-stream.js";
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
export type { CreateOptions, Output } from "./export/create.js";
export { createExport, OUTPUTS } from "./export/create.js";
export type { GuestImage } from "./image/build.js";
export { buildImage, defaultImageDir, readImage } from "./image/build.js";
export type { Impairment, ImpairmentInput } from "./impairment.js";
export { formatImpairment, parseImpairment } from "./impairment.js";
export { consoleSocket } from "./lab/console.js";
export type { LabDeps } from "./lab/deps.js";
export type { DownOptions, DownResult } from "./lab/down.js";
export { down } from "./lab/down.js";
export type { ExecOptions, ExecResult } from "./lab/exec.js";
export { execInNode } from "./lab/exec.js";
export type { LinkEndpointView, LinkOptions, LinkView } from "./lab/link.js";
export { impairLink, setLinkState, showLinks } from "./lab/link.js";
export type { LabTarget } from "./lab/resolve.js";
export type { RestartOptions } from "./lab/restart.js";
export { restartNode } from "./lab/restart.js";
export type { LabState, OwnedSlice } from "./lab/state.js";
export { defaultStateDir, StateStore } from "./lab/state.js";
export type { InterfaceStatus, LabStatus, NodeStatus, StatusOptions } from "./lab/status.js";
export { labStatus } from "./lab/status.js";
export type { UpOptions, UpResult } from "./lab/up.js";
export { up } from "./lab/up.js";
export type { ProgressEvent, Reporter } from "./log.js";
export type { LinkDescription, NodeDescription } from "./plan/describe.js";
export { describePlan } from "./plan/describe.js";
export { diffPlans } from "./plan/diff.js";
export { loadAndPlan, planText } from "./plan/load-plan.js";
export { nodeAddress, planLab } from "./plan/plan.js";
export type * from "./plan/types.js";
export type { ProcessHandle, ProcessStarter, StartOptions } from "./process.js";
export { startProcess } from "./process.js";
export { importTopology } from "./topology/import.js";
export type { LoadedTopology } from "./topology/load.js";
export { loadTopologyFile, parseTopology } from "./topology/load.js";
export type { TopologyInput } from "./topology/schema.js";
export type * from "./topology/types.js";
export type { TestResult, ValidateOptions, ValidateResult } from "./validate/validate.js";
export { validateLab } from "./validate/validate.js";
