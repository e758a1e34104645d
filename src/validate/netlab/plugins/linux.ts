/**
 * netlab's Linux checks (netlab's `netsim/validate/linux.py`), which its
 * FRR plugin has too: `ping`, `default6` and `route`, run as shell
 * commands in the node.
 */
import type { Value } from "../../../topology/expression/evaluate.js";
import { CheckFailed, get, text, type ValidationPlugin } from "./common.js";

const stdout = (r: Value): string => {
  const s = get(r, "stdout");
  return typeof s === "string" ? s : "";
};

const sh = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * `ping(host, src=None, af=None, count=5, pkt_len=None, expect=None)`:
 * iputils' ping with netlab's options (`-c COUNT -W 1 -A`), passed when a
 * reply of the right size came back, or, with `expect='fail'`, when none did.
 */
export const ping: ValidationPlugin = {
  name: "ping",
  params: [
    { name: "host" },
    { name: "src", default: null },
    { name: "af", default: null },
    { name: "count", default: 5 },
    { name: "pkt_len", default: null },
    { name: "expect", default: null },
  ],
  action: "exec",
  command({ values: v }) {
    const host = text(v.host, "the host").split("/")[0] as string;
    let cmd = `ping -c ${Number(v.count)} -W 1 -A`;
    if (v.af === "ipv6") cmd += " -6";
    else if (v.af === "ipv4") cmd += " -4";
    if (v.pkt_len !== null && v.pkt_len !== undefined) cmd += ` -s ${Number(v.pkt_len)}`;
    if (typeof v.src === "string") cmd += ` -I ${sh(v.src.split("/")[0] as string)}`;
    return `${cmd} ${sh(host)} || true`;
  },
  valid(r, { values: v }) {
    const out = stdout(r);
    const host = text(v.host, "the host").split("/")[0] as string;
    let msg = `Ping to ${typeof v.af === "string" ? `${v.af} ` : ""}${pingTarget(host, out)}`;
    if (typeof v.src === "string") msg += ` from ${v.src}`;
    if (v.pkt_len !== null && v.pkt_len !== undefined) msg += ` size ${String(v.pkt_len)}`;
    if (v.expect === "fail") {
      if (["0 packets received", "0 received", "unreachable"].some((k) => out.includes(k)))
        return `${msg} failed as expected`;
      throw new CheckFailed(`${msg} did not fail`);
    }
    const size = typeof v.pkt_len === "number" ? v.pkt_len + 8 : 64;
    if (out.includes(`${size} bytes from`)) return `${msg} succeeded`;
    throw new CheckFailed(`${msg} failed`);
  },
};

/** The target as ping names it: the host, and its address when ping resolved a name (netlab's `extract_host`). */
function pingTarget(host: string, out: string): string {
  const head = out.split(":")[0] ?? "";
  if (!out.includes(":") || !head.includes(host)) return host;
  const after = head.split(host)[1] ?? "";
  const m = /\([0-9a-fA-F:.]+\)/.exec(after);
  return m ? `${host} ${m[0]}` : host;
}

/** `default6()`: an IPv6 default route (from the routers' advertisements). */
export const default6: ValidationPlugin = {
  name: "default6",
  params: [],
  action: "exec",
  command: () => "ip -6 route list default",
  valid(r) {
    if (stdout(r).includes("default")) return "IPv6 default route is present";
    throw new CheckFailed("IPv6 default route is missing");
  },
};

/** `route(pfx, af='ipv4', intf='', state='')`: a route to the prefix (through an interface), or none with `state='missing'`. */
export const route: ValidationPlugin = {
  name: "route",
  params: [
    { name: "pfx" },
    { name: "af", default: "ipv4" },
    { name: "intf", default: "" },
    { name: "state", default: "" },
  ],
  action: "exec",
  command({ values: v }) {
    let cmd = `${v.af === "ipv6" ? "ip -6 route" : "ip route"} | grep ${sh(text(v.pfx, "the prefix"))}`;
    if (typeof v.intf === "string" && v.intf) cmd += ` | grep ${sh(`dev ${v.intf}`)}`;
    return cmd;
  },
  valid(r, { values: v }) {
    const af = String(v.af);
    const pfx = text(v.pfx, "the prefix");
    const intf = typeof v.intf === "string" ? v.intf : "";
    const out = stdout(r);
    const miss = `${af} route ${pfx} is not in the routing table${intf ? ` or does not point to ${intf}` : ""}`;
    if (v.state === "missing") {
      if (!out) return miss;
      throw new CheckFailed(`${af} ${pfx} should not be in the routing table`);
    }
    if (out) return `${af} route ${pfx} ${intf ? `points to ${intf}` : "is in the routing table"}`;
    throw new CheckFailed(miss);
  },
};
