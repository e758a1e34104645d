/**
 * A provider builds and removes one layer of a lab: the netns provider its
 * namespaces and kernel links, the wire provider its wire daemon, the qemu
 * provider its VMs. `up` calls every provider's hooks in one loop, phase by
 * phase, and keeps an undo per provider on a rollback stack; `down` and a
 * failed `up` unwind the same stack (docs/design.md, "Providers").
 *
 * Each provider sees its slice of the plan and records what it owns in its
 * own part of the lab's record; it takes its files from the lab layout and
 * never from another provider.
 */
import type { Runner } from "../exec.js";
import type { Reporter } from "../log.js";
import type { LabPorts } from "../plan/ports.js";
import type { LabPlan } from "../plan/types.js";
import type { ProcessStarter } from "../process.js";
import type { LabLayout } from "./layout.js";
import type { SpliceRecord } from "./wire/splice.js";

/** What a provider records as its own: plain JSON, read back only by itself. */
export type Owned = Readonly<Record<string, unknown>>;

/** Another lab's record, as far as providers need it (names it holds, for collision messages). */
export interface OtherLab {
  readonly lab: string;
  readonly owned: readonly { readonly provider: string; readonly owned: Owned }[];
}

/** What every hook gets. */
export interface ProviderContext {
  readonly plan: LabPlan;
  readonly run: Runner;
  readonly start: ProcessStarter;
  readonly layout: LabLayout;
  /** The lab's ports (allocated before the first step). */
  readonly ports: LabPorts;
  readonly reporter?: Reporter;
  /** Stops between steps when aborted (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Nodes configured at once. */
  readonly concurrency: number;
  /** Links spliced onto the wire daemon live (the lab's record), if any. */
  readonly spliced?: readonly SpliceRecord[];
}

/**
 * What the hooks of an apply get (`up` of an edited topology): the context
 * of the plan the lab is to run, and the plan it runs.
 */
export interface ApplyContext extends ProviderContext {
  /** The plan the lab runs now (`plan` is the one it is to run). */
  readonly before: LabPlan;
  /** Nodes made new (a new namespace, a new QEMU): their kinds say they cannot change in place. */
  readonly rebuilt: ReadonlySet<string>;
  /** Old and new ports alike, until the apply is done. */
  readonly ports: LabPorts;
}

/** What undoing gets: no plan needed, only what was recorded. */
export interface TeardownContext {
  readonly lab: string;
  readonly run: Runner;
  readonly layout: LabLayout;
}

/** What a provider removed, in words for `down` (e.g. `{ "namespace": [...] }`). */
export type Removed = Readonly<Record<string, readonly string[]>>;

/** What {@link Provider.repair} found on a lab that should be up. */
export type RepairResult =
  /** Everything is there, or was started again: what was (the provider told the user as it went). */
  | { readonly repaired: readonly string[] }
  /** Something is gone that cannot be put back in place: the lab must be built again. */
  | { readonly rebuild: string };

/** A process a provider keeps running for a lab, as `status` shows it. */
export interface ProcessStatus {
  /** What it is, e.g. `wire daemon`. */
  readonly name: string;
  /** Its PID, when it runs. */
  readonly pid?: number;
  /** The PID of the supervisor that starts it again, when that runs. */
  readonly supervisor?: number;
}

/** The phases of `up`, in order; within one, providers run in registry order. */
export const PHASES = ["create", "configure", "start"] as const;
/** One phase of `up`. */
export type Phase = (typeof PHASES)[number];

/**
 * One provider. `P` is what its preflight gathers for its later hooks (the
 * guest image, say).
 */
export interface Provider<P = unknown> {
  readonly name: string;
  /**
   * What it builds can be found from the plan alone (by name), so a lab
   * built without wirelab (an exported `setup.sh`) can still be inspected.
   */
  readonly findableByName: boolean;
  /**
   * Whether the lab has anything for this provider.
   * @param spliced - links the lab's record says are spliced onto the wire daemon live
   */
  uses(plan: LabPlan, spliced?: readonly SpliceRecord[]): boolean;
  /** Programs it runs, checked before anything is touched. */
  tools(plan: LabPlan): readonly string[];
  /**
   * Checks that need no lock and change nothing (files, the guest image),
   * and gathers what later hooks need.
   * @throws {LabError} to refuse the lab before anything is touched
   */
  preflight(plan: LabPlan): Promise<P>;
  /**
   * Under the lab's lock, after an old copy of the lab is gone: makes sure
   * what it will create is free (names another lab or nobody holds).
   * @throws {LabError} naming what is taken and by whom
   */
  reserve?(ctx: ProviderContext, others: readonly OtherLab[]): Promise<void>;
  /** What it will own, recorded before its first step runs. */
  owns(plan: LabPlan): Owned;
  create?(ctx: ProviderContext, prepared: P): Promise<void>;
  configure?(ctx: ProviderContext, prepared: P): Promise<void>;
  start?(ctx: ProviderContext, prepared: P): Promise<void>;
  /**
   * First half of an apply, providers in reverse order: removes what
   * `ctx.plan` no longer has and what is rebuilt (stops before deleting).
   * Only called when both plans use the provider; every step skips what is
   * already gone, so an interrupted apply can run again.
   */
  retire?(ctx: ApplyContext, prepared: P): Promise<void>;
  /**
   * Second half, providers in order: creates what `ctx.plan` adds or
   * rebuilds and changes in place what changed; leaves everything else
   * untouched. Idempotent like {@link retire}.
   */
  apply?(ctx: ApplyContext, prepared: P): Promise<void>;
  /**
   * On a lab that is up as planned: checks every object it created and puts
   * back what is missing (a namespace node, a vEth, a tap, a filter), starts
   * again what died (a daemon, a VM), or says the lab must be rebuilt.
   */
  repair?(ctx: ProviderContext, prepared: P): Promise<RepairResult>;
  /**
   * What of its part of the lab is missing on the host, read live, in words
   * (`vEth eth1 in wl-lab-r1`); empty when nothing is.
   * @param stopped - nodes stopped by `wirelab stop`: what they run is not missing
   */
  missing?(
    ctx: TeardownContext,
    plan: LabPlan,
    stopped?: ReadonlySet<string>,
  ): Promise<readonly string[]>;
  /**
   * What of a lab's it can find on the host by name alone, when the lab's
   * record is lost: the same kind of record `owns` gives, or undefined when
   * nothing is there.
   *
   * @param others - names of the other labs that have a folder in the state
   *   directory (their objects are never taken), with what their readable
   *   records say they own
   */
  findOwned?(ctx: TeardownContext, others: readonly OtherLab[]): Promise<Owned | undefined>;
  /** The processes it keeps running for the lab, read live. */
  status?(ctx: TeardownContext, plan: LabPlan): Promise<readonly ProcessStatus[]>;
  /**
   * The undo of every step: removes what `owned` lists, skipping what is
   * already gone, so it can always run again.
   * @throws {CommandError} when something could not be removed
   */
  destroy(ctx: TeardownContext, owned: Owned): Promise<Removed>;
}
