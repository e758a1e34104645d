/**
 * The rollback stack of a lab: each provider's part of the record, pushed
 * (and written to disk) before the provider's first step runs, since a
 * step that fails halfway leaves part of its work. `down` and a failed `up`
 * undo the same stack, last entry first; every undo skips what is already
 * gone, so unwinding can always be run again.
 */
import { WirelabError } from "../errors.js";
import type { Provider, Removed, TeardownContext } from "../providers/provider.js";
import type { LabState, OwnedSlice, StateStore } from "./state.js";

/** A record being built, step by step. */
export class RollbackStack {
  private current: Omit<LabState, "version" | "updated">;

  /**
   * @param record - the lab's record, written already, with an empty `owned`
   */
  constructor(
    private readonly store: StateStore,
    record: Omit<LabState, "version" | "updated">,
  ) {
    this.current = record;
  }

  /** The record as it stands. */
  get state(): Omit<LabState, "version" | "updated"> {
    return this.current;
  }

  /** Records what the provider will own, once, before its first step. */
  async push(provider: Provider): Promise<void> {
    if (this.current.owned.some((s) => s.provider === provider.name)) return;
    const slice: OwnedSlice = { provider: provider.name, owned: provider.owns(this.current.plan) };
    this.current = { ...this.current, owned: [...this.current.owned, slice] };
    await this.store.write(this.current);
  }
}

/** Undoing failed: what failed, after every other undo was tried. */
export class UnwindError extends WirelabError {
  override name = "UnwindError";
  constructor(readonly errors: readonly Error[]) {
    super(errors.map((e) => e.message).join("\n"));
  }
}

/**
 * Undoes a lab's providers' steps, last first. Every undo runs even when
 * one fails.
 *
 * @param providers - the providers by name (a slice whose provider is unknown is skipped)
 * @returns what each undo removed, merged
 * @throws {UnwindError} listing what could not be removed
 */
export async function unwind(
  owned: readonly OwnedSlice[],
  providers: readonly Provider[],
  ctx: TeardownContext,
): Promise<Removed> {
  const removed: Record<string, string[]> = {};
  const errors: Error[] = [];
  for (const slice of [...owned].reverse()) {
    const p = providers.find((x) => x.name === slice.provider);
    if (!p) continue;
    try {
      for (const [what, names] of Object.entries(await p.destroy(ctx, slice.owned)))
        removed[what] = [...(removed[what] ?? []), ...names];
    } catch (e) {
      errors.push(e as Error);
    }
  }
  if (errors.length) throw new UnwindError(errors);
  return removed;
}
