/** What `wirelab create` can write. */
export const OUTPUTS = ["script", "clab", "libvirt", "vagrant"] as const;
export type Output = (typeof OUTPUTS)[number];
