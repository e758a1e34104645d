/** What `wirelab create` can write. */
export const OUTPUTS = ["script", "clab", "libvirt", "vagrant"] as const;
/** One of {@link OUTPUTS}. */
export type Output = (typeof OUTPUTS)[number];
