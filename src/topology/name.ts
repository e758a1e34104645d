/**
 * A lab's name: its file's `name:`, else made from the file's stem. The one
 * place both are decided (the loader and commands that only need the name).
 */
import { basename, extname } from "node:path";
import { parseDocument } from "yaml";

/** Longest lab name (it becomes part of namespace names). */
export const MAX_LAB_NAME = 32;

/**
 * The lab name a file's stem gives: lower case, runs of other characters
 * made one dash, at most {@link MAX_LAB_NAME} characters.
 *
 * @returns the name, or "" when the stem has nothing to make one of
 */
export function labNameFromPath(file: string): string {
  return basename(file, extname(file))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_LAB_NAME)
    .replace(/-+$/, "");
}

/**
 * The lab name of topology text: its `name:`, else the file's stem. Reads
 * only `name`, so a file with other errors still names its lab.
 *
 * @param text - YAML
 * @param file - the file's path
 */
export function labNameOfText(text: string, file: string): string {
  const doc = parseDocument(text);
  const name = doc.errors.length === 0 ? doc.get("name") : undefined;
  return typeof name === "string" ? name : labNameFromPath(file);
}
