/**
 * netlab's link forms and attributes in wirelab's terms (netlab docs,
 * "Links"): the `interfaces` list (netlab's own form) as node keys, a
 * link's `name` (netlab's description text) as `description` in a netlab
 * topology, `tc` (netem's settings) as wirelab's `impair`, and `disable:
 * true` (netlab removes the link).
 */
import { isPlainObject } from "../origins.js";
import { describe, type MechanicsContext, report } from "./context.js";

/** netlab's `tc` keys wirelab's impairments take (netlab docs, "Links", Link Impairment). */
const TC_KEYS = ["delay", "jitter", "loss", "corrupt", "duplicate", "rate"];

/** Rewrites every link of `data.links`. */
export function mapLinks(data: Record<string, unknown>, ctx: MechanicsContext): void {
  if (!Array.isArray(data.links)) return;
  const out: unknown[] = [];
  data.links.forEach((link, i) => {
    const at = ["links", i];
    if (!isPlainObject(link)) {
      out.push(link);
      const o = ctx.origins.get(data.links as unknown[], i);
      if (o) ctx.origins.set(out, out.length - 1, o);
      return;
    }
    if (link.disable === true) return; // netlab leaves a disabled link out of the lab
    if (link.type === "loopback") {
      report(
        ctx,
        data,
        [...at, "type"],
        "unsupported",
        `"type": "loopback" (netlab's extra loopback interface) is not implemented by wirelab; give the node's own loopback the address, or make it a stub link`,
      );
      return;
    }
    const changes: Record<string, unknown> = { disable: undefined };
    if (link.disable !== undefined && link.disable !== false)
      report(
        ctx,
        data,
        [...at, "disable"],
        "bad-type",
        `"disable" is true or false, got ${describe(link.disable)}`,
      );
    if (ctx.format === "netlab" && link.name !== undefined) {
      changes.description = link.name;
      changes.name = undefined;
    }
    if (link.tc !== undefined) {
      if (!isPlainObject(link.tc))
        report(
          ctx,
          data,
          [...at, "tc"],
          "bad-type",
          `"tc" is a map of netem settings (delay, jitter, loss, …), got ${describe(link.tc)}`,
        );
      else {
        for (const k of Object.keys(link.tc))
          if (!TC_KEYS.includes(k))
            report(
              ctx,
              data,
              [...at, "tc", k],
              "unsupported",
              `tc.${k} is not one of wirelab's impairments (${TC_KEYS.join(", ")})`,
              true,
            );
        changes.impair = ctx.origins.copy(
          link.tc,
          Object.fromEntries(
            Object.keys(link.tc)
              .filter((k) => !TC_KEYS.includes(k))
              .map((k) => [k, undefined]),
          ),
        );
      }
      changes.tc = undefined;
    }
    let rewritten = ctx.origins.copy(link, changes, ctx.origins.get(link, "name"));
    if (link.interfaces !== undefined) rewritten = fromInterfaces(rewritten, [...at], data, ctx);
    out.push(rewritten);
    const o = ctx.origins.get(data.links as unknown[], i);
    if (o) ctx.origins.set(out, out.length - 1, o);
  });
  data.links = out;
}

/**
 * `interfaces: [ { node: a, ipv4: … }, b ]`: each item a node's attachment
 * (a map with `node`, or a node name), rewritten as wirelab's node keys.
 */
function fromInterfaces(
  link: Record<string, unknown>,
  at: (string | number)[],
  root: Record<string, unknown>,
  ctx: MechanicsContext,
): Record<string, unknown> {
  const list = link.interfaces;
  if (!Array.isArray(list)) {
    report(
      ctx,
      root,
      [...at, "interfaces"],
      "bad-type",
      `"interfaces" is a list of nodes (names or maps with "node"), got ${describe(list)}`,
    );
    return link;
  }
  const changes: Record<string, unknown> = { interfaces: undefined };
  const attach: Record<string, unknown> = {};
  list.forEach((item, i) => {
    const node = typeof item === "string" ? item : isPlainObject(item) ? item.node : undefined;
    if (typeof node !== "string") {
      report(
        ctx,
        root,
        [...at, "interfaces", i],
        "bad-type",
        `an item of "interfaces" is a node name or a map with "node", got ${describe(item)}`,
      );
      return;
    }
    if (node in attach || node in link) {
      report(
        ctx,
        root,
        [...at, "interfaces", i],
        "unsupported",
        `node "${node}" is attached to this link twice; wirelab attaches a node once per link (write two links)`,
      );
      return;
    }
    const attrs = isPlainObject(item) ? ctx.origins.copy(item, { node: undefined }) : {};
    attach[node] = attrs;
    const o = ctx.origins.get(list, i);
    changes[node] = attrs;
    if (o) ctx.origins.set(attach, node, o);
  });
  const out = ctx.origins.copy(link, changes);
  for (const node of Object.keys(attach)) {
    const o = ctx.origins.get(attach, node);
    if (o) ctx.origins.set(out, node, o);
  }
  return out;
}
