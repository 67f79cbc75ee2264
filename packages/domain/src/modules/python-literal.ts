// A safe reader for Python literals (what Odoo's `ast.literal_eval` accepts in __manifest__.py):
// dicts with str keys, lists, tuples, sets, strings (all quote styles, implicit concatenation,
// escapes, raw), numbers, True/False/None, comments, trailing commas. Nothing is executed; any
// other syntax (names, calls, f-strings, operators) is refused with a line and column.
import { DomainError } from "../errors";
import { decodePythonStringBody } from "./python-string";

export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

const MAX_DEPTH = 64;
const NUMBER =
  /(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*\.(?:\d(?:_?\d)*)?|\.\d(?:_?\d)*|\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?)/y;
const NAME = /[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*/y;
const STRING_PREFIX = /([rRuUbBfF]{1,2})?(?='|")/y;

/** Parses `source` as one Python literal; `file` names the source in error messages. */
export function parsePythonLiteral(options: { source: string; file: string }): PyValue {
  return new Parser(options.source, options.file).parseTop();
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly src: string,
    private readonly file: string,
  ) {}

  parseTop(): PyValue {
    this.skipSpace();
    if (this.pos >= this.src.length) this.fail("the file holds no Python literal (expected a dict)");
    const value = this.parseValue();
    this.skipSpace();
    if (this.pos < this.src.length) this.fail(`unexpected ${this.describeHere()} after the literal`);
    return value;
  }

  private parseValue(): PyValue {
    this.skipSpace();
    const c = this.src[this.pos];
    if (c === "{" || c === "[" || c === "(") return this.nested(() => this.parseContainer(c));
    if (c === "-" || c === "+") {
      this.pos++;
      this.skipSpace();
      const start = this.pos;
      const n = this.parseNumber();
      if (n === null) this.failAt(start, `expected a number after "${c}", found ${this.describeHere()}`);
      return c === "-" ? -n : n;
    }
    const n = this.parseNumber();
    if (n !== null) return n;
    STRING_PREFIX.lastIndex = this.pos;
    if (STRING_PREFIX.test(this.src)) return this.parseStrings();
    NAME.lastIndex = this.pos;
    const name = NAME.exec(this.src);
    if (name) {
      const word = name[0];
      if (word === "True" || word === "False" || word === "None") {
        this.pos += word.length;
        return word === "True" ? true : word === "False" ? false : null;
      }
      const after = this.src.slice(this.pos + word.length).match(/^\s*\(/);
      this.fail(after ? `function calls are not allowed (found "${word}(")` : `names are not allowed, only literals (found "${word}")`);
    }
    this.fail(`expected a value, found ${this.describeHere()}`);
  }

  private parseContainer(open: "{" | "[" | "("): PyValue {
    const close = open === "{" ? "}" : open === "[" ? "]" : ")";
    this.pos++;
    const items: PyValue[] = [];
    const entries: [string, PyValue][] = [];
    let kind: "dict" | "set" | null = null;
    let sawComma = false;
    for (;;) {
      this.skipSpace();
      if (this.src[this.pos] === close) {
        this.pos++;
        break;
      }
      const keyPos = this.pos;
      const value = this.parseValue();
      this.skipSpace();
      if (open === "{" && kind !== "set" && this.src[this.pos] === ":") {
        if (typeof value !== "string") this.failAt(keyPos, "dict keys must be strings");
        this.pos++;
        kind = "dict";
        entries.push([value, this.parseValue()]);
        this.skipSpace();
      } else if (open === "{") {
        if (kind === "dict") this.fail(`expected ":" after a dict key, found ${this.describeHere()}`);
        kind = "set";
        items.push(value);
      } else items.push(value);
      const next = this.src[this.pos];
      if (next === ",") {
        this.pos++;
        sawComma = true;
      } else if (next !== close) {
        this.fail(`expected "," or "${close}", found ${this.describeHere()}`);
      }
    }
    if (open === "{") return kind === "set" ? items : Object.fromEntries(entries);
    // `(x)` is grouping, `(x,)` and `()` are tuples; tuples become arrays.
    if (open === "(" && items.length === 1 && !sawComma) return items[0]!;
    return items;
  }

  private parseStrings(): string {
    let result = "";
    do {
      result += this.parseString();
      this.skipSpace();
      STRING_PREFIX.lastIndex = this.pos;
    } while (STRING_PREFIX.test(this.src)); // implicit concatenation: 'a' "b"
    return result;
  }

  private parseString(): string {
    const start = this.pos;
    STRING_PREFIX.lastIndex = this.pos;
    const prefix = (STRING_PREFIX.exec(this.src)![1] ?? "").toLowerCase();
    if (prefix.includes("f")) this.fail("f-strings are not literals");
    if (prefix.includes("b")) this.fail("bytes literals are not allowed in a manifest");
    if (prefix.length > 1) this.fail(`invalid string prefix "${prefix}"`);
    this.pos += prefix.length;
    const raw = prefix.includes("r");
    const q = this.src[this.pos]!;
    const triple = this.src.startsWith(q.repeat(3), this.pos);
    const delimiter = triple ? q.repeat(3) : q;
    this.pos += delimiter.length;
    const bodyStart = this.pos;
    for (;;) {
      const ch = this.src[this.pos];
      if (ch === undefined || (!triple && (ch === "\n" || ch === "\r"))) this.failAt(start, "unterminated string");
      if (ch === "\\") {
        this.pos += 2; // the escaped character never ends the string (raw strings included)
        continue;
      }
      if (this.src.startsWith(delimiter, this.pos)) break;
      this.pos++;
    }
    const body = this.src.slice(bodyStart, this.pos);
    this.pos += delimiter.length;
    const decoded = decodePythonStringBody(body, raw);
    if (!decoded.ok) this.failAt(bodyStart + decoded.offset, decoded.message);
    return decoded.value;
  }

  private parseNumber(): number | null {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.src);
    if (!m) return null;
    const after = this.src[this.pos + m[0].length];
    if (after !== undefined && /[A-Za-z0-9_.]/.test(after)) {
      this.fail(after === "j" || after === "J" ? "complex numbers are not allowed" : `invalid number "${m[0]}${after}"`);
    }
    this.pos += m[0].length;
    const text = m[0].replace(/_/g, "");
    const lower = text.toLowerCase();
    if (lower.startsWith("0x")) return parseInt(text.slice(2), 16);
    if (lower.startsWith("0o")) return parseInt(text.slice(2), 8);
    if (lower.startsWith("0b")) return parseInt(text.slice(2), 2);
    return Number(text);
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const value = parse();
    this.depth--;
    return value;
  }

  /** Whitespace, comments and backslash line continuations. */
  private skipSpace(): void {
    const s = this.src;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\ufeff") this.pos++;
      else if (c === "#") {
        while (this.pos < s.length && s[this.pos] !== "\n") this.pos++;
      } else if (c === "\\" && (s[this.pos + 1] === "\n" || s[this.pos + 1] === "\r")) this.pos += 2;
      else break;
    }
  }

  private describeHere(): string {
    if (this.pos >= this.src.length) return "the end of the file";
    return `"${this.src.slice(this.pos, this.pos + 12).split("\n")[0]}"`;
  }

  private fail(message: string): never {
    this.failAt(this.pos, message);
  }

  private failAt(offset: number, message: string): never {
    const before = this.src.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - (before.lastIndexOf("\n") + 1) + 1;
    throw new DomainError("invalid_input", `${this.file} line ${line}, column ${column}: ${message}`, {
      details: { file: this.file, line, column },
    });
  }
}
