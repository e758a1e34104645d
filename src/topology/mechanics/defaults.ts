/**
 * netlab's defaults files (netlab docs, "Topology Defaults"): the files a
 * topology names in `defaults.sources.extra` and the lab folder's
 * `topology-defaults.yml`, each written like a topology's `defaults`
 * without the `defaults.` prefix, deep-merged under the topology's own
 * `defaults` (the topology wins; an earlier file wins over a later one).
 * The user's and the system's defaults files (`~/.netlab.yml`,
 * `/etc/netlab/defaults.yml`) are not read: a lab means the same on every
 * host. Then the device of nodes that name none: `NETLAB_DEVICE`, then
 * `-d`, each winning over the file.
 */
import { readFileSync } from "node:fs";
import { join, normalize } from "node:path";
import { expandDotted } from "../dotted.js";
import { isPlainObject, mergeDeep } from "../origins.js";
import { locateOrigin, parseSource } from "../source.js";
import { describe, type LoadOptions, type MechanicsContext, report } from "./context.js";

/** The lab folder's defaults file netlab reads (its "user defaults" next to the topology). */
export const LAB_DEFAULTS_FILE = "topology-defaults.yml";

/** Reads a file, or undefined when there is none. */
export function readFileOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * Merges the defaults files under the topology's `defaults` and applies the
 * device given outside the file.
 *
 * @param data - the topology with dotted keys expanded (its `defaults` is replaced)
 */
export function mergeDefaultsFiles(data: Record<string, unknown>, ctx: MechanicsContext): void {
  const own = data.defaults;
  if (own !== undefined && !isPlainObject(own)) return; // the schema says so at its place
  let merged: unknown = own ?? {};
  const sources = isPlainObject(own) ? own.sources : undefined;
  const extra = isPlainObject(sources) ? sources.extra : undefined;
  const names: { name: string; written?: (string | number)[] }[] = [];
  if (extra !== undefined) {
    if (Array.isArray(extra)) {
      extra.forEach((name, i) => {
        if (typeof name === "string")
          names.push({ name, written: ["defaults", "sources", "extra", i] });
        else
          report(
            ctx,
            data,
            ["defaults", "sources", "extra", i],
            "bad-type",
            `a defaults file is a path, got ${describe(name)}`,
          );
      });
    } else if (typeof extra === "string")
      names.push({ name: extra, written: ["defaults", "sources", "extra"] });
    else
      report(
        ctx,
        data,
        ["defaults", "sources", "extra"],
        "bad-type",
        `defaults.sources.extra is a list of files, got ${describe(extra)}`,
      );
  }
  if (isPlainObject(sources))
    for (const key of Object.keys(sources))
      if (key !== "extra")
        report(
          ctx,
          data,
          ["defaults", "sources", key],
          "unsupported",
          `defaults.sources.${key} is not read by wirelab (it reads defaults.sources.extra and the lab folder's ${LAB_DEFAULTS_FILE}); list the files in defaults.sources.extra`,
          true,
        );
  names.push({ name: LAB_DEFAULTS_FILE });
  const read = ctx.options.readFile ?? readFileOrUndefined;
  for (const { name, written } of names) {
    const path = normalize(join(ctx.baseDir, name));
    let text: string | undefined;
    try {
      text = read(path);
    } catch (e) {
      if (written)
        report(
          ctx,
          data,
          written,
          "bad-file",
          `defaults file ${path} cannot be read (${(e as Error).message.split("\n")[0]})`,
        );
      continue;
    }
    if (text === undefined) {
      // netlab skips a missing defaults file; wirelab says so.
      if (written)
        ctx.notes.push(
          `defaults file ${path} (defaults.sources.extra) does not exist; skipped, as netlab does`,
        );
      continue;
    }
    const parsed = parseSource(text, path);
    if (parsed.diagnostics.length > 0) {
      ctx.problems.push(...parsed.diagnostics);
      continue;
    }
    const fileData = parsed.source.data ?? {};
    if (!isPlainObject(fileData)) {
      ctx.problems.push(
        locateOrigin(
          { source: parsed.source, path: [] },
          {
            code: "bad-type",
            message: `a defaults file is a map of defaults (device, const, addressing, …); got ${describe(fileData)}`,
            path: [],
          },
        ),
      );
      continue;
    }
    ctx.origins.recordTree(fileData, parsed.source, []);
    merged = mergeDeep(expandDotted(fileData, ctx.origins), merged, ctx.origins);
  }
  const outside = outsideDevice(ctx.options);
  if (outside !== undefined && isPlainObject(merged))
    merged = ctx.origins.copy(merged, { device: outside });
  data.defaults = merged;
}

/**
 * The device given outside the file: `-d` (`options.device`), else
 * `NETLAB_DEVICE`; undefined when neither is (or is empty).
 */
export function outsideDevice(options: LoadOptions): string | undefined {
  const d = options.device ?? (options.env ?? process.env).NETLAB_DEVICE;
  return d === undefined || d === "" ? undefined : d;
}
