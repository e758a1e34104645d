/**
 * The providers, in the order `up` runs them within each phase (and `down`
 * undoes them in reverse): kernel objects first, then the wire daemon, then
 * the namespace routers' FRR (their interfaces configured), then the VMs,
 * whose NICs need the taps and whose stream sockets the daemon reaches,
 * then the nodes' `exec:` lines, once everything runs.
 */
import { execProvider } from "./exec/provider.js";
import { frrProvider } from "./frr/provider.js";
import { netnsProvider } from "./netns/provider.js";
import type { Provider } from "./provider.js";
import { qemuProvider } from "./qemu/provider.js";
import type { ImageReader } from "./session.js";
import { wireProvider } from "./wire/provider.js";

/** What providers need from outside (injected for tests). */
export interface ProviderDeps {
  readonly images: ImageReader;
}

/** Every provider, in order. */
export function allProviders(deps: ProviderDeps): readonly Provider[] {
  return [
    netnsProvider,
    wireProvider,
    frrProvider,
    qemuProvider(deps.images),
    execProvider(deps.images),
  ] as readonly Provider[];
}

/** The provider of a name. */
export function providerNamed(deps: ProviderDeps, name: string): Provider | undefined {
  return allProviders(deps).find((p) => p.name === name);
}
