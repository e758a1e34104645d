/**
 * netlab's routing table check for FRR (netlab's
 * `netsim/validate/route/frr.py`): a prefix in the IPv4 or IPv6 routing
 * table (of a protocol), with its metric (`show ip route json`).
 */
import { CheckFailed, get, list, prefixOf, text, type ValidationPlugin } from "./common.js";

/** `rt_prefix(pfx, af='ipv4', state=None, proto='', metric=…)`. */
export const rtPrefix: ValidationPlugin = {
  name: "rt_prefix",
  params: [
    { name: "pfx" },
    { name: "af", default: "ipv4" },
    { name: "state", default: null },
    { name: "proto", default: "" },
  ],
  rest: true,
  action: "show",
  command: ({ values: v }) =>
    `${v.af === "ipv4" ? "ip" : String(v.af)} route${v.proto ? ` ${String(v.proto)}` : ""} json`,
  valid(r, { values: v, rest }) {
    const af = String(v.af);
    const pfx = prefixOf(text(v.pfx, "the prefix"));
    const first = list(get(r, pfx))[0];
    if (first === undefined) {
      const msg = `The prefix ${pfx} is not in ${af} routing table`;
      if (v.state === "missing") return msg;
      throw new CheckFailed(msg);
    }
    const found = `Found prefix ${pfx} in the ${af} routing table`;
    for (const k of Object.keys(rest))
      if (k !== "metric") throw new CheckFailed(`Unknown rt_prefix check ${k}`);
    if ("metric" in rest) {
      if (get(first, "metric") === rest.metric)
        return `${found} with metric=${String(rest.metric)}`;
      throw new CheckFailed(
        `No prefix ${pfx} in the ${af} routing table has metric=${String(rest.metric)}`,
      );
    }
    return found;
  },
};
