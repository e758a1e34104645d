/**
 * What wirelab's guest image is made of: Debian packages only, fetched with
 * `apt-get download` and unpacked with `dpkg-deb -x` (never installed).
 */

/** The kernel metapackage; it depends on the versioned kernel package. */
export const KERNEL_METAPACKAGE = "linux-image-cloud-amd64";

/**
 * User-space packages: busybox, iproute2 (the same `ip -batch` as
 * namespaces), iputils ping (the same flags as on the host), iperf3, and
 * their libraries.
 */
export const USER_PACKAGES = [
  "busybox-static",
  "iproute2",
  "iperf3",
  "iputils-ping",
  // Shared libraries of ip, ping and iperf3 (ldd of each on Debian 12).
  "libc6",
  "libbpf1",
  "libelf1",
  "libmnl0",
  "libbsd0",
  "libmd0",
  "libcap2",
  "zlib1g",
  "libiperf0",
  "libssl3",
  "libsctp1",
  "libidn2-0",
  "libunistring2",
] as const;

/** Programs copied from the packages into the image: path in package → path in image. */
export const PROGRAMS: readonly {
  readonly pkg: string;
  readonly from: string;
  readonly to: string;
}[] = [
  { pkg: "busybox-static", from: "bin/busybox", to: "bin/busybox" },
  { pkg: "iproute2", from: "bin/ip", to: "usr/sbin/ip" },
  { pkg: "iproute2", from: "sbin/tc", to: "usr/sbin/tc" },
  { pkg: "iproute2", from: "sbin/bridge", to: "usr/sbin/bridge" },
  { pkg: "iperf3", from: "usr/bin/iperf3", to: "usr/bin/iperf3" },
  { pkg: "iputils-ping", from: "bin/ping", to: "usr/bin/ping" },
];

/**
 * Kernel modules loaded at boot (with their dependencies, in order): virtio
 * NICs, the command channel's virtio-serial, the tools disk's virtio-blk, bonding and 802.1Q for LACP
 * and VLAN labs, bridge and netem for labs inside the guest.
 */
export const MODULES = [
  "virtio_pci",
  "virtio_net",
  "virtio_console",
  "virtio_blk",
  "bonding",
  "8021q",
  "bridge",
  "sch_netem",
] as const;
