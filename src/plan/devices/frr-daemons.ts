/**
 * FRR's daemons and its `daemons` file (FRR docs, "Daemons Configuration
 * File"): `NAME=yes|no` lines sourced by FRR's start script
 * (`frrcommon.sh`), which starts zebra and staticd whatever they say.
 */

/** Every daemon FRR 8.4's start script knows, in its start order. */
export const FRR_DAEMONS = [
  "zebra",
  "bgpd",
  "ripd",
  "ripngd",
  "ospfd",
  "ospf6d",
  "isisd",
  "babeld",
  "pimd",
  "pim6d",
  "ldpd",
  "nhrpd",
  "eigrpd",
  "sharpd",
  "pbrd",
  "staticd",
  "bfdd",
  "fabricd",
  "vrrpd",
  "pathd",
] as const;

/** Daemons every router runs. */
export const ALWAYS = ["zebra", "staticd"] as const;

/** Whether `name` is a daemon FRR has. */
export const isFrrDaemon = (name: string): boolean =>
  (FRR_DAEMONS as readonly string[]).includes(name);

/** The names a `daemons` file turns on or off (`NAME=yes|no`), with their 1-based lines. */
export function daemonLines(text: string): { name: string; on: boolean; line: number }[] {
  const out: { name: string; on: boolean; line: number }[] = [];
  text.split("\n").forEach((l, i) => {
    const m = /^\s*([A-Za-z0-9_]+)=(["']?)(yes|no|1|0)\2\s*(#.*)?$/.exec(l);
    if (m) out.push({ name: m[1] as string, on: m[3] === "yes" || m[3] === "1", line: i + 1 });
  });
  return out;
}

/**
 * The daemons a `daemons` file runs: those it turns on, with zebra and staticd.
 *
 * @returns daemon names in FRR's start order
 */
export function daemonsEnabled(text: string): string[] {
  const on = new Set<string>(ALWAYS);
  for (const d of daemonLines(text)) if (d.on && isFrrDaemon(d.name)) on.add(d.name);
  return FRR_DAEMONS.filter((d) => on.has(d));
}

/**
 * The configuration statements that need a daemon (FRR docs, each daemon's
 * chapter), matched at the start of a line of `frr.conf`.
 */
const NEEDS: readonly [RegExp, string][] = [
  [/^router bgp\b/, "bgpd"],
  [/^router ospf6\b/, "ospf6d"],
  [/^router ospf\b/, "ospfd"],
  [/^router isis\b/, "isisd"],
  [/^router openfabric\b/, "fabricd"],
  [/^router ripng\b/, "ripngd"],
  [/^router rip\b/, "ripd"],
  [/^router eigrp\b/, "eigrpd"],
  [/^router babel\b/, "babeld"],
  [/^router pim\b|^ip pim\b|^\s+ip pim\b|^ip multicast-routing\b/, "pimd"],
  [/^mpls ldp\b/, "ldpd"],
  [/^bfd\b|^\s+bfd\b|^\s+neighbor \S+ bfd\b/, "bfdd"],
  [/^pbr-map\b|^\s+pbr-policy\b/, "pbrd"],
  [/^\s+vrrp\b/, "vrrpd"],
  [/^\s+ip nhrp\b|^\s+ipv6 nhrp\b/, "nhrpd"],
  [/^segment-routing\b/, "pathd"],
  [/^\s+ip ospf\b/, "ospfd"],
  [/^\s+ipv6 ospf6\b/, "ospf6d"],
  [/^\s+ip router isis\b|^\s+ipv6 router isis\b/, "isisd"],
];

/**
 * The daemons a configuration needs: zebra, staticd and one per routing
 * protocol it configures.
 *
 * @param config - the text of an `frr.conf`
 * @returns daemon names in FRR's start order
 */
export function daemonsFor(config: string): string[] {
  const needed = new Set<string>(ALWAYS);
  for (const line of config.split("\n")) {
    if (/^\s*[!#]/.test(line)) continue;
    for (const [re, daemon] of NEEDS) if (re.test(line)) needed.add(daemon);
  }
  return FRR_DAEMONS.filter((d) => needed.has(d));
}

/**
 * A `daemons` file that turns on `daemons` with Debian's options (each
 * daemon's vty on localhost only), FRR's `traditional` profile, and startup
 * messages to a log file the node owns (FRR's `--log file:`).
 *
 * @param daemons - daemon names to turn on
 * @param logFile - where each daemon writes its startup messages (inside the node's mounts)
 */
export function daemonsFile(daemons: readonly string[], logFile: string): string {
  const lines = [
    '# Written by wirelab: FRR\'s daemons file (FRR docs, "Daemons Configuration File").',
    ...FRR_DAEMONS.map((d) => `${d}=${daemons.includes(d) ? "yes" : "no"}`),
    "vtysh_enable=yes",
    ...FRR_DAEMONS.map(
      (d) =>
        `${d}_options="-A ${d.includes("6") || d === "ripngd" ? "::1" : "127.0.0.1"}${d === "zebra" ? " -s 90000000" : ""}"`,
    ),
    `frr_global_options="--log file:${logFile}"`,
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * A user's `daemons` file made to log where wirelab looks: the same text,
 * with startup messages also going to `logFile`.
 */
export function withLogFile(text: string, logFile: string): string {
  return `${text.replace(/\n?$/, "\n")}# Added by wirelab: startup messages where wirelab reads them.\nfrr_global_options="$frr_global_options --log file:${logFile}"\n`;
}
