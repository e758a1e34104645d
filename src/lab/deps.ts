/**
 * What lab commands run things with: the runner for short commands, the
 * process starter for long-lived ones, the state store, the guest image
 * reader and the port allocator. Each is an option of every command (so
 * tests can inject them); these are the real ones.
 */
import { defaultRunner, type Runner } from "../exec.js";
import { type Preflight, systemPreflight } from "../preflight.js";
import { type ProcessStarter, startProcess } from "../process.js";
import { allocatePorts, type PortAllocator } from "../providers/ports.js";
import type { ImageReader } from "../providers/session.js";
import { StateStore } from "./state.js";

/** Injectable dependencies of lab commands; every one has a real default. */
export interface LabDeps {
  /** Runs short commands (`ip`, `tc`, `sysctl`). @default defaultRunner */
  readonly run?: Runner;
  /** Starts long-lived processes (QEMU, the wire daemon, tcpdump). @default startProcess */
  readonly start?: ProcessStarter;
  /** @default new StateStore() */
  readonly store?: StateStore;
  /** Reads the guest image. @default readImage */
  readonly images?: ImageReader;
  /** Allocates ports on 127.0.0.1. @default allocatePorts */
  readonly allocatePorts?: PortAllocator;
  /** Privilege and tool checks. @default systemPreflight */
  readonly preflight?: Preflight;
}

/** The dependencies with defaults filled in. */
export type ResolvedDeps = Required<LabDeps>;

/** Fills in the real dependency for each one not given. */
export function resolveDeps(options: LabDeps): ResolvedDeps {
  return {
    run: options.run ?? defaultRunner,
    start: options.start ?? startProcess,
    store: options.store ?? new StateStore(),
    // Loaded when a VM needs it: most commands never read the image.
    images: options.images ?? (async () => (await import("../image/build.js")).readImage()),
    allocatePorts: options.allocatePorts ?? allocatePorts,
    preflight: options.preflight ?? systemPreflight,
  };
}
