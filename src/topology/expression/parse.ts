/**
 * The Python expressions netlab's `validate` tests are written in (their
 * `plugin` calls, `valid` checks and `{{ … }}` templates; netlab docs,
 * "Lab Validation Tests"), parsed into a tree that `evaluate.ts` reads.
 * Only expressions, never statements: literals (numbers, strings, `True`,
 * `False`, `None`, lists, tuples, dicts), names, attributes, subscripts and
 * slices, calls with positional and keyword arguments, arithmetic,
 * comparisons (chained, `in`, `not in`, `is`), `and`, `or`, `not` and the
 * conditional `a if c else b` (Python Language Reference, "Expressions").
 * There is no way to reach anything but the values given to the
 * evaluator: no imports, lambdas, comprehensions or dunder attributes.
 */

/** A node of the expression tree. */
export type Expr =
  | { readonly type: "literal"; readonly value: null | boolean | number | string }
  | { readonly type: "name"; readonly name: string }
  | { readonly type: "attribute"; readonly object: Expr; readonly name: string }
  | { readonly type: "subscript"; readonly object: Expr; readonly index: Expr }
  | {
      readonly type: "slice";
      readonly object: Expr;
      readonly start?: Expr;
      readonly end?: Expr;
    }
  | {
      readonly type: "call";
      readonly callee: Expr;
      readonly args: readonly Expr[];
      readonly kwargs: readonly { readonly name: string; readonly value: Expr }[];
    }
  | { readonly type: "list"; readonly items: readonly Expr[] }
  | {
      readonly type: "dict";
      readonly entries: readonly { readonly key: Expr; readonly value: Expr }[];
    }
  | { readonly type: "unary"; readonly op: "not" | "-" | "+"; readonly operand: Expr }
  | { readonly type: "binary"; readonly op: string; readonly left: Expr; readonly right: Expr }
  | { readonly type: "bool"; readonly op: "and" | "or"; readonly left: Expr; readonly right: Expr }
  | {
      readonly type: "compare";
      readonly first: Expr;
      readonly rest: readonly { readonly op: string; readonly operand: Expr }[];
    }
  | { readonly type: "ifelse"; readonly test: Expr; readonly then: Expr; readonly otherwise: Expr };

/** A syntax error, at a character offset of the text. */
export class ExpressionSyntaxError extends Error {
  override name = "ExpressionSyntaxError";
  constructor(
    message: string,
    /** 0-based offset in the expression text. */
    readonly offset: number,
  ) {
    super(message);
  }
}

type Token =
  | { kind: "num"; value: number; at: number }
  | { kind: "str"; value: string; at: number }
  | { kind: "name"; value: string; at: number }
  | { kind: "op"; value: string; at: number }
  | { kind: "end"; at: number };

const KEYWORDS = new Set(["and", "or", "not", "in", "is", "if", "else", "True", "False", "None"]);
/** Python keywords that start statements or forms this subset leaves out. */
const REFUSED = new Set([
  "lambda",
  "for",
  "import",
  "yield",
  "await",
  "async",
  "def",
  "class",
  "from",
  "global",
  "nonlocal",
  "del",
  "with",
  "assert",
  "raise",
  "return",
  "pass",
  "while",
  "try",
  "except",
  "finally",
]);

const OPS = [
  "**",
  "//",
  "==",
  "!=",
  "<=",
  ">=",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ":",
  ".",
  "+",
  "-",
  "*",
  "/",
  "%",
  "<",
  ">",
  "=",
];

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "#") throw new ExpressionSyntaxError("comments are not allowed in an expression", i);
    const start = i;
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      const m =
        /^(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/.exec(
          text.slice(i),
        );
      const raw = (m?.[0] ?? c).replaceAll("_", "");
      out.push({ kind: "num", value: Number(raw), at: start });
      i += m?.[0].length ?? 1;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)) as RegExpExecArray;
      const word = m[0];
      // String prefixes: r'…' raw strings are taken; f-strings and bytes are not.
      if (/^[rR]$/.test(word) && (text[i + 1] === "'" || text[i + 1] === '"')) {
        i += 1;
        const s = readString(text, i, true);
        out.push({ kind: "str", value: s.value, at: start });
        i = s.end;
        continue;
      }
      if (
        /^[fFbBuU]|^[rR][bBfF]|^[bBfF][rR]$/.test(word) &&
        word.length <= 2 &&
        (text[i + word.length] === "'" || text[i + word.length] === '"')
      )
        throw new ExpressionSyntaxError(
          `${word}'…' strings are not supported; use plain strings`,
          i,
        );
      if (REFUSED.has(word))
        throw new ExpressionSyntaxError(
          `"${word}" is not allowed: only expressions are evaluated`,
          i,
        );
      out.push({ kind: "name", value: word, at: start });
      i += word.length;
      continue;
    }
    if (c === "'" || c === '"') {
      const s = readString(text, i, false);
      out.push({ kind: "str", value: s.value, at: start });
      i = s.end;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) throw new ExpressionSyntaxError(`unexpected character "${c}"`, i);
    out.push({ kind: "op", value: op, at: start });
    i += op.length;
  }
  out.push({ kind: "end", at: text.length });
  return out;
}

const ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "0": "\0",
};

function readString(text: string, at: number, raw: boolean): { value: string; end: number } {
  const q = text[at] as string;
  const triple = text.startsWith(q.repeat(3), at);
  const close = triple ? q.repeat(3) : q;
  let i = at + close.length;
  let value = "";
  while (i < text.length) {
    if (text.startsWith(close, i)) return { value, end: i + close.length };
    const c = text[i] as string;
    if (!triple && c === "\n") break;
    if (c === "\\" && !raw) {
      const n = text[i + 1] ?? "";
      value += ESCAPES[n] ?? `\\${n}`;
      i += 2;
      continue;
    }
    if (c === "\\" && raw) {
      value += c + (text[i + 1] ?? "");
      i += 2;
      continue;
    }
    value += c;
    i++;
  }
  throw new ExpressionSyntaxError("a string is not closed", at);
}

/**
 * Parses an expression.
 *
 * @throws {ExpressionSyntaxError} with the offset of the problem
 */
export function parseExpression(text: string): Expr {
  const p = new Parser(tokenize(text));
  const e = p.expr();
  p.expectEnd();
  return e;
}

class Parser {
  #i = 0;
  constructor(readonly tokens: Token[]) {}

  get #t(): Token {
    return this.tokens[this.#i] as Token;
  }

  #isOp(v: string): boolean {
    const t = this.#t;
    return t.kind === "op" && t.value === v;
  }

  #isWord(v: string): boolean {
    const t = this.#t;
    return t.kind === "name" && t.value === v;
  }

  #take(v: string): void {
    if (!this.#isOp(v))
      throw new ExpressionSyntaxError(`expected "${v}"${this.#found()}`, this.#t.at);
    this.#i++;
  }

  #found(): string {
    const t = this.#t;
    return t.kind === "end" ? " at the end" : `, found "${"value" in t ? t.value : ""}"`;
  }

  expectEnd(): void {
    if (this.#t.kind !== "end")
      throw new ExpressionSyntaxError(
        `unexpected "${String((this.#t as { value?: unknown }).value)}" after the expression`,
        this.#t.at,
      );
  }

  expr(): Expr {
    const then = this.#or();
    if (!this.#isWord("if")) return then;
    this.#i++;
    const test = this.#or();
    if (!this.#isWord("else"))
      throw new ExpressionSyntaxError(`"a if b" needs "else c"${this.#found()}`, this.#t.at);
    this.#i++;
    return { type: "ifelse", test, then, otherwise: this.expr() };
  }

  #or(): Expr {
    let left = this.#and();
    while (this.#isWord("or")) {
      this.#i++;
      left = { type: "bool", op: "or", left, right: this.#and() };
    }
    return left;
  }

  #and(): Expr {
    let left = this.#not();
    while (this.#isWord("and")) {
      this.#i++;
      left = { type: "bool", op: "and", left, right: this.#not() };
    }
    return left;
  }

  #not(): Expr {
    if (this.#isWord("not")) {
      this.#i++;
      return { type: "unary", op: "not", operand: this.#not() };
    }
    return this.#compare();
  }

  #compare(): Expr {
    const first = this.#additive();
    const rest: { op: string; operand: Expr }[] = [];
    for (;;) {
      let op: string | undefined;
      const t = this.#t;
      if (t.kind === "op" && ["==", "!=", "<", ">", "<=", ">="].includes(t.value)) {
        op = t.value;
        this.#i++;
      } else if (this.#isWord("in")) {
        op = "in";
        this.#i++;
      } else if (
        this.#isWord("not") &&
        (this.tokens[this.#i + 1] as Token).kind === "name" &&
        (this.tokens[this.#i + 1] as { value: string }).value === "in"
      ) {
        op = "not in";
        this.#i += 2;
      } else if (this.#isWord("is")) {
        this.#i++;
        op = "is";
        if (this.#isWord("not")) {
          this.#i++;
          op = "is not";
        }
      }
      if (!op) break;
      rest.push({ op, operand: this.#additive() });
    }
    return rest.length ? { type: "compare", first, rest } : first;
  }

  #additive(): Expr {
    let left = this.#term();
    while (this.#isOp("+") || this.#isOp("-")) {
      const op = (this.#t as { value: string }).value;
      this.#i++;
      left = { type: "binary", op, left, right: this.#term() };
    }
    return left;
  }

  #term(): Expr {
    let left = this.#unary();
    while (this.#isOp("*") || this.#isOp("/") || this.#isOp("//") || this.#isOp("%")) {
      const op = (this.#t as { value: string }).value;
      this.#i++;
      left = { type: "binary", op, left, right: this.#unary() };
    }
    return left;
  }

  #unary(): Expr {
    if (this.#isOp("-") || this.#isOp("+")) {
      const op = (this.#t as { value: string }).value as "-" | "+";
      this.#i++;
      return { type: "unary", op, operand: this.#unary() };
    }
    return this.#power();
  }

  #power(): Expr {
    const base = this.#postfix();
    if (this.#isOp("**")) {
      this.#i++;
      return { type: "binary", op: "**", left: base, right: this.#unary() };
    }
    return base;
  }

  #postfix(): Expr {
    let e = this.#atom();
    for (;;) {
      if (this.#isOp(".")) {
        this.#i++;
        const t = this.#t;
        if (t.kind !== "name")
          throw new ExpressionSyntaxError(
            `expected an attribute name after "."${this.#found()}`,
            t.at,
          );
        if (t.value.startsWith("__"))
          throw new ExpressionSyntaxError(`attribute "${t.value}" is not allowed`, t.at);
        this.#i++;
        e = { type: "attribute", object: e, name: t.value };
      } else if (this.#isOp("[")) {
        this.#i++;
        let start: Expr | undefined;
        if (!this.#isOp(":")) start = this.expr();
        if (this.#isOp(":")) {
          this.#i++;
          const end = this.#isOp("]") ? undefined : this.expr();
          this.#take("]");
          e = { type: "slice", object: e, ...(start ? { start } : {}), ...(end ? { end } : {}) };
        } else {
          this.#take("]");
          e = { type: "subscript", object: e, index: start as Expr };
        }
      } else if (this.#isOp("(")) {
        this.#i++;
        const args: Expr[] = [];
        const kwargs: { name: string; value: Expr }[] = [];
        while (!this.#isOp(")")) {
          const t = this.#t;
          const next = this.tokens[this.#i + 1] as Token;
          if (t.kind === "name" && next.kind === "op" && next.value === "=") {
            this.#i += 2;
            if (kwargs.some((k) => k.name === t.value))
              throw new ExpressionSyntaxError(`keyword argument "${t.value}" is given twice`, t.at);
            kwargs.push({ name: t.value, value: this.expr() });
          } else {
            if (kwargs.length)
              throw new ExpressionSyntaxError(
                "a positional argument follows a keyword argument",
                t.at,
              );
            args.push(this.expr());
          }
          if (!this.#isOp(",")) break;
          this.#i++;
        }
        this.#take(")");
        e = { type: "call", callee: e, args, kwargs };
      } else return e;
    }
  }

  #atom(): Expr {
    const t = this.#t;
    if (t.kind === "num") {
      this.#i++;
      return { type: "literal", value: t.value };
    }
    if (t.kind === "str") {
      let value = "";
      while (this.#t.kind === "str") {
        value += (this.#t as { value: string }).value;
        this.#i++;
      }
      return { type: "literal", value };
    }
    if (t.kind === "name") {
      this.#i++;
      if (t.value === "True") return { type: "literal", value: true };
      if (t.value === "False") return { type: "literal", value: false };
      if (t.value === "None") return { type: "literal", value: null };
      if (KEYWORDS.has(t.value)) throw new ExpressionSyntaxError(`unexpected "${t.value}"`, t.at);
      if (t.value.startsWith("__"))
        throw new ExpressionSyntaxError(`name "${t.value}" is not allowed`, t.at);
      return { type: "name", name: t.value };
    }
    if (t.kind === "op" && t.value === "(") {
      this.#i++;
      if (this.#isOp(")")) {
        this.#i++;
        return { type: "list", items: [] };
      }
      const first = this.expr();
      if (this.#isOp(",")) {
        const items = [first];
        while (this.#isOp(",")) {
          this.#i++;
          if (this.#isOp(")")) break;
          items.push(this.expr());
        }
        this.#take(")");
        return { type: "list", items };
      }
      this.#take(")");
      return first;
    }
    if (t.kind === "op" && t.value === "[") {
      this.#i++;
      const items: Expr[] = [];
      while (!this.#isOp("]")) {
        items.push(this.expr());
        if (!this.#isOp(",")) break;
        this.#i++;
      }
      this.#take("]");
      return { type: "list", items };
    }
    if (t.kind === "op" && t.value === "{") {
      this.#i++;
      const entries: { key: Expr; value: Expr }[] = [];
      while (!this.#isOp("}")) {
        const key = this.expr();
        this.#take(":");
        entries.push({ key, value: this.expr() });
        if (!this.#isOp(",")) break;
        this.#i++;
      }
      this.#take("}");
      return { type: "dict", entries };
    }
    throw new ExpressionSyntaxError(
      t.kind === "end"
        ? "the expression ends too early"
        : `unexpected "${(t as { value: string }).value}"`,
      t.at,
    );
  }
}
