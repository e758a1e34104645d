/**
 * The Jinja2 templates netlab's `validate` tests put in `show`, `exec` and
 * `valid` (netlab docs, "Lab Validation Tests"): `{{ expression }}` is
 * replaced by the value of the expression (the same Python subset as
 * `parse.ts`). Jinja2's statements (`{% for … %}`) and filters (`| x`) are
 * not taken: a template that uses them is an error at load.
 */
import { evaluate, type Scope, show, type Value } from "./evaluate.js";
import { type Expr, ExpressionSyntaxError, parseExpression } from "./parse.js";

/** A template: text and expressions in turn. */
export type Template = readonly (string | Expr)[];

/**
 * Parses a template.
 *
 * @throws {ExpressionSyntaxError} for a statement, a filter, an unclosed `{{` or a bad expression (offset in the template)
 */
export function parseTemplate(text: string): Template {
  const stmt = /\{%|\{#/.exec(text);
  if (stmt)
    throw new ExpressionSyntaxError(
      `Jinja2 ${stmt[0] === "{%" ? "statements ({% … %})" : "comments"} are not supported; use {{ expression }} only`,
      stmt.index,
    );
  const parts: (string | Expr)[] = [];
  let i = 0;
  for (;;) {
    const open = text.indexOf("{{", i);
    if (open < 0) break;
    const close = text.indexOf("}}", open + 2);
    if (close < 0) throw new ExpressionSyntaxError('"{{" is not closed by "}}"', open);
    if (open > i) parts.push(text.slice(i, open));
    const inner = text.slice(open + 2, close);
    if (/\|(?!\|)/.test(inner.replace(/'[^']*'|"[^"]*"/g, "")))
      throw new ExpressionSyntaxError("Jinja2 filters (| name) are not supported in {{ … }}", open);
    try {
      parts.push(parseExpression(inner));
    } catch (e) {
      if (e instanceof ExpressionSyntaxError)
        throw new ExpressionSyntaxError(e.message, open + 2 + e.offset);
      throw e;
    }
    i = close + 2;
  }
  if (i < text.length) parts.push(text.slice(i));
  return parts;
}

/** Whether a text has template parts at all. */
export const isTemplate = (text: string): boolean => text.includes("{{") || text.includes("{%");

/**
 * Fills a template in.
 *
 * @throws {import("./evaluate.js").EvaluationError} when an expression cannot be evaluated
 */
export function renderTemplate(t: Template, scope: Scope): string {
  return t.map((p) => (typeof p === "string" ? p : text(evaluate(p, scope)))).join("");
}

const text = (v: Value): string =>
  typeof v === "string" ? v : typeof v === "number" ? String(v) : show(v);
