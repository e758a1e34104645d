/**
 * Reading a topology file: a regular file of reasonable size, as UTF-8. Every
 * way it can fail is a located problem (exit 2), never an internal error.
 */
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { TopologyError } from "../errors.js";

/** Largest topology file read, in bytes (a 1,000-node lab is under 100 KiB). */
export const MAX_TOPOLOGY_BYTES = 16 * 1024 * 1024;

/** What a failed read of the file means, by error code. */
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  ENOTDIR: "no such file (a part of its path is not a folder)",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "is a folder, not a topology file",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "its name is too long",
};

/**
 * @param file - path as the user gave it
 * @returns the file's text
 * @throws {TopologyError} when it is missing, not a regular file, too large or unreadable
 */
export async function readTopologyText(file: string): Promise<string> {
  const problem = (message: string) =>
    new TopologyError([{ code: "bad-file", message, path: [], file }]);
  try {
    const st = await stat(file);
    if (st.isDirectory()) throw problem(REASONS.EISDIR as string);
    // A pipe is read too (`wirelab plan <(…)`), up to the same size.
    if (st.isFIFO()) return await readPipe(file, problem);
    if (!st.isFile())
      throw problem("is not a regular file (a device or a socket); give a YAML file");
    if (st.size > MAX_TOPOLOGY_BYTES) throw problem(tooLarge(st.size));
    return await readFile(file, "utf8");
  } catch (e) {
    if (e instanceof TopologyError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? "";
    throw problem(REASONS[code] ?? `cannot be read (${(e as Error).message.split(", ")[0]})`);
  }
}

const tooLarge = (bytes: number) =>
  `is ${bytes} bytes or more; a topology file is at most ${MAX_TOPOLOGY_BYTES} bytes`;

/** Reads a pipe to its end, refusing more than {@link MAX_TOPOLOGY_BYTES}. */
async function readPipe(file: string, problem: (m: string) => Error): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    size += (chunk as Buffer).length;
    if (size > MAX_TOPOLOGY_BYTES) throw problem(tooLarge(size));
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
