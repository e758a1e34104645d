/**
 * wirelab's library API: load and plan topologies, build and remove labs,
 * inspect, change, capture and test them, write them for other tools. The
 * CLI calls nothing else.
 *
 * The verbs are loaded on first call (each wrapper below imports its module
 * then), so that a command pays only for what it uses: `wirelab down` does
 * not load the topology schemas, the planner, the exporters or the capture
 * code. Everything that reads topology text or plans is therefore async here.
 */

export type { CapturedFrame, CaptureOptions, CaptureTarget } from "./capture/capture.js";
export type { SummaryPrinter } from "./capture/summary.js";
export { startSummary } from "./capture/summary.js";
export type { CaptureSummary, CaptureToStreamOptions } from "./capture/to-stream.js";
export type { Diagnostic, DiagnosticCode, FailedRun } from "./errors.js";
export {
  CommandError,
  formatDiagnostic,
  LabError,
  PermissionError,
  TopologyError,
  UsageError,
  WirelabError,
} from "./errors.js";
export type { Runner, RunOptions, RunResult } from "./exec.js";
export type { CreateOptions } from "./export/create.js";
export type { Output } from "./export/outputs.js";
export { OUTPUTS } from "./export/outputs.js";
export type { GuestImage } from "./image/build.js";
export type { Impairment, ImpairmentInput } from "./impairment.js";
export { formatImpairment, parseImpairment } from "./impairment.js";
export type { LabDeps } from "./lab/deps.js";
export type { DownOptions, DownResult } from "./lab/down.js";
export type { ExecOptions, ExecResult } from "./lab/exec.js";
export type { LinkChange, LinkEndpointView, LinkOptions, LinkView } from "./lab/link.js";
export type { LabTarget } from "./lab/resolve.js";
export type { RestartOptions } from "./lab/restart.js";
export type { SaveOptions, SaveResult } from "./lab/save.js";
export type { LabState, OwnedSlice } from "./lab/state.js";
export {
  defaultStateDir,
  StateDirError,
  StateStore,
  UnreadableRecordError,
} from "./lab/state.js";
export type { InterfaceStatus, LabStatus, NodeStatus, StatusOptions } from "./lab/status.js";
export type { StopOptions } from "./lab/stop.js";
export type { UpOptions, UpResult } from "./lab/up.js";
export type { ProgressEvent, Reporter } from "./log.js";
export type { LinkDescription, NodeDescription } from "./plan/describe.js";
export type * from "./plan/types.js";
export type { ProcessHandle, ProcessStarter, StartOptions } from "./process.js";
export { startProcess } from "./process.js";
export type { DeviceState } from "./providers/devices.js";
export type { Snapshot, VmShape } from "./providers/qemu/snapshot.js";
export type { LoadedTopology } from "./topology/load.js";
export type { TopologyInput } from "./topology/schema.js";
export type * from "./topology/types.js";
export type { CheckEvent, CheckResult, CheckStatus, NodeOutcome } from "./validate/netlab/run.js";
export type { TestResult, ValidateOptions, ValidateResult } from "./validate/validate.js";

type Module<T> = () => Promise<T>;
/** A function of a module that is loaded on its first call. */
function lazy<M, K extends keyof M>(load: Module<M>, name: K): M[K] {
  return (async (...args: unknown[]) =>
    ((await load())[name] as (...a: unknown[]) => unknown)(...args)) as M[K];
}

const lab = {
  up: () => import("./lab/up.js"),
  down: () => import("./lab/down.js"),
  status: () => import("./lab/status.js"),
  exec: () => import("./lab/exec.js"),
  restart: () => import("./lab/restart.js"),
  stop: () => import("./lab/stop.js"),
  console: () => import("./lab/console.js"),
  save: () => import("./lab/save.js"),
  link: () => import("./lab/link.js"),
};

/** Builds a lab from a topology file (see {@link import("./lab/up.js").up}). */
export const up = lazy(lab.up, "up");
/** Removes everything a lab created (see {@link import("./lab/down.js").down}). */
export const down = lazy(lab.down, "down");
/** Labs, nodes and interfaces read live (see {@link import("./lab/status.js").labStatus}). */
export const labStatus = lazy(lab.status, "labStatus");
/** Runs a command in a node (see {@link import("./lab/exec.js").execInNode}). */
export const execInNode = lazy(lab.exec, "execInNode");
/** Restarts one node (see {@link import("./lab/restart.js").restartNode}). */
export const restartNode = lazy(lab.restart, "restartNode");
/** Stops one node, its wires parked (see {@link import("./lab/stop.js").stopNode}). */
export const stopNode = lazy(lab.stop, "stopNode");
/** Starts a stopped node (see {@link import("./lab/stop.js").startNode}). */
export const startNode = lazy(lab.stop, "startNode");
/** Every router's running configuration to files (see {@link import("./lab/save.js").saveConfigs}). */
export const saveConfigs = lazy(lab.save, "saveConfigs");
/** A node's serial console socket (see {@link import("./lab/console.js").consoleSocket}). */
export const consoleSocket = lazy(lab.console, "consoleSocket");
/** Every link with its state and counters (see {@link import("./lab/link.js").showLinks}). */
export const showLinks = lazy(lab.link, "showLinks");
/** Impairs a link live (see {@link import("./lab/link.js").impairLink}). */
export const impairLink = lazy(lab.link, "impairLink");
/** Cuts or restores a wire (see {@link import("./lab/link.js").setLinkState}). */
export const setLinkState = lazy(lab.link, "setLinkState");
/** A lab's picture: dot, svg, mermaid or json (see {@link import("./graph/graph.js").graphOf}). */
export const graphOf = lazy(() => import("./graph/graph.js"), "graphOf");
export { GRAPH_FORMATS } from "./graph/formats.js";
export type { GraphFormat, GraphOptions } from "./graph/graph.js";
export type { LabGraph } from "./graph/model.js";
/** A running lab's live page (see {@link import("./graph/serve.js").serveGraph}). */
export const serveGraph = lazy(() => import("./graph/serve.js"), "serveGraph");
/** A running lab's live state by picture element (see {@link import("./graph/live.js").readLiveState}). */
export const readLiveState = lazy(() => import("./graph/live.js"), "readLiveState");
export type { LinkState, LiveEdge, LiveEndpoint, LiveNode, LiveState } from "./graph/live.js";
export type { GraphServer, ServeOptions } from "./graph/serve.js";
/** Runs a lab's tests (see {@link import("./validate/validate.js").validateLab}). */
export const validateLab = lazy(() => import("./validate/validate.js"), "validateLab");
/** Writes a lab for another tool (see {@link import("./export/create.js").createExport}). */
export const createExport = lazy(() => import("./export/create.js"), "createExport");
/** Starts a live capture (see {@link import("./capture/capture.js").startCapture}). */
export const startCapture = lazy(() => import("./capture/capture.js"), "startCapture");
export {
  EXTCAP_PREFIX,
  type ExtcapInterface,
  extcapConfig,
  extcapDlts,
  extcapInterfaces,
  extcapName,
  parseExtcapName,
} from "./capture/extcap-names.js";
/** Captures a wirelab interface into Wireshark's fifo (see {@link import("./capture/extcap.js").extcapCapture}). */
export const extcapCapture = lazy(() => import("./capture/extcap.js"), "extcapCapture");
/** Checks a capture filter as tcpdump compiles it (see {@link import("./capture/extcap.js").checkCaptureFilter}). */
export const checkCaptureFilter = lazy(() => import("./capture/extcap.js"), "checkCaptureFilter");
/** Writes the extcap program into Wireshark's extcap folder (see {@link import("./capture/extcap.js").installExtcap}). */
export const installExtcap = lazy(() => import("./capture/extcap.js"), "installExtcap");
/** Removes it (see {@link import("./capture/extcap.js").uninstallExtcap}). */
export const uninstallExtcap = lazy(() => import("./capture/extcap.js"), "uninstallExtcap");
export type { ExtcapCaptureOptions, ExtcapInstall } from "./capture/extcap.js";
/** Splits `capture`'s words into targets and filter (see {@link import("./capture/targets.js").resolveCaptureTargets}). */
export const resolveCaptureTargets = lazy(
  () => import("./capture/targets.js"),
  "resolveCaptureTargets",
);
export type { CaptureRequest, CaptureTargets } from "./capture/targets.js";
/** Captures to a pcapng stream (see {@link import("./capture/to-stream.js").captureToStream}). */
export const captureToStream = lazy(() => import("./capture/to-stream.js"), "captureToStream");
/** Builds the guest image (see {@link import("./image/build.js").buildImage}). */
export const buildImage = lazy(() => import("./image/build.js"), "buildImage");
/** What an image build would take, without building (see {@link import("./image/build.js").imageBuildPlan}). */
export const imageBuildPlan = lazy(() => import("./image/build.js"), "imageBuildPlan");
/** The VM snapshots of an image folder (see {@link import("./providers/qemu/snapshot.js").listSnapshots}). */
export const listSnapshots = lazy(() => import("./providers/qemu/snapshot.js"), "listSnapshots");
/** Makes the snapshots of VM shapes ahead of time (see {@link import("./providers/qemu/prebuild.js").prebuildSnapshots}). */
export const prebuildSnapshots = lazy(
  () => import("./providers/qemu/prebuild.js"),
  "prebuildSnapshots",
);
/** The common VM shapes `image build --snapshots` makes (see {@link import("./providers/qemu/prebuild.js").commonShapes}). */
export const commonShapes = lazy(() => import("./providers/qemu/prebuild.js"), "commonShapes");
/** Reads the cached guest image (see {@link import("./image/build.js").readImage}). */
export const readImage = lazy(() => import("./image/build.js"), "readImage");

/** The folder of the guest image: `$WIRELAB_IMAGE_DIR`, else `/var/cache/wirelab/image`. */
export async function defaultImageDir(): Promise<string> {
  return (await import("./image/build.js")).defaultImageDir();
}

/**
 * Loads and plans a topology file, every problem located in it.
 * @throws {TopologyError} with every problem (see {@link import("./plan/load-plan.js").loadAndPlan})
 */
export const loadAndPlan = lazy(() => import("./plan/load-plan.js"), "loadAndPlan");

/**
 * Reads and validates a topology file.
 * @throws {TopologyError} with every problem (see {@link import("./topology/load.js").loadTopologyFile})
 */
export const loadTopologyFile = lazy(() => import("./topology/load.js"), "loadTopologyFile");

/**
 * Plans topology text (no file access).
 * @throws {TopologyError} with every problem located in `file`
 */
export async function planText(
  text: string,
  file: string,
): Promise<ReturnType<typeof import("./plan/load-plan.js").planText>> {
  return (await import("./plan/load-plan.js")).planText(text, file);
}

/**
 * Validates topology text.
 * @throws {TopologyError} with every problem located in `file`
 */
export async function parseTopology(
  text: string,
  file?: string,
): Promise<import("./topology/load.js").LoadedTopology> {
  return (await import("./topology/load.js")).parseTopology(text, file);
}

/**
 * The wirelab topology equivalent to a containerlab or netlab file's text;
 * its paths are relative to `out`'s folder (default: the current one).
 * @throws {TopologyError} when the file has problems
 */
export async function importTopology(
  ...args: Parameters<typeof import("./export/import.js").importTopology>
): Promise<string> {
  return (await import("./export/import.js")).importTopology(...args);
}

/**
 * Reads a topology file's text: a regular file of at most 16 MiB.
 * @throws {TopologyError} when it is missing, not a regular file, too large or unreadable
 */
export async function readTopologyText(file: string): Promise<string> {
  return (await import("./topology/read.js")).readTopologyText(file);
}

/**
 * Plans a validated topology.
 * @throws {TopologyError} with unlocated diagnostics (see {@link import("./plan/plan.js").planLab})
 */
export async function planLab(
  topology: import("./topology/types.js").Topology,
): Promise<import("./plan/types.js").LabPlan> {
  return (await import("./plan/plan.js")).planLab(topology);
}

/** The address that stands for a node: its loopback, else its first interface address. */
export async function nodeAddress(
  ...args: Parameters<typeof import("./plan/plan.js").nodeAddress>
): Promise<string | undefined> {
  return (await import("./plan/plan.js")).nodeAddress(...args);
}

/** What differs between two plans of one lab, one line each (see {@link import("./plan/diff.js").diffPlans}). */
export async function diffPlans(
  ...args: Parameters<typeof import("./plan/diff.js").diffPlans>
): Promise<string[]> {
  return (await import("./plan/diff.js")).diffPlans(...args);
}

/** The `frr.conf` a router of a plan starts with (see {@link import("./providers/router-files.js").routerConfigText}). */
export async function routerConfigText(
  ...args: Parameters<typeof import("./providers/router-files.js").routerConfigText>
): Promise<string> {
  return (await import("./providers/router-files.js")).routerConfigText(...args);
}

/** A plan described for people (see {@link import("./plan/describe.js").describePlan}). */
export async function describePlan(
  ...args: Parameters<typeof import("./plan/describe.js").describePlan>
): Promise<ReturnType<typeof import("./plan/describe.js").describePlan>> {
  return (await import("./plan/describe.js")).describePlan(...args);
}
