// Decoding of Python string literal bodies (the part between the quotes), as ast.literal_eval would.

const SIMPLE_ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\u0007",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/** Result: the decoded text, or an error message with the offset (in body) where it happened. */
export type DecodeResult = { ok: true; value: string } | { ok: false; message: string; offset: number };

export function decodePythonStringBody(body: string, raw: boolean): DecodeResult {
  if (raw || !body.includes("\\")) return { ok: true, value: body };
  let out = "";
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    const next = body[i + 1];
    if (next === undefined) return { ok: false, message: "string ends with a backslash", offset: i };
    if (next === "\n") {
      i += 2; // backslash-newline: line continuation inside the string
      continue;
    }
    if (next === "\r") {
      i += body[i + 2] === "\n" ? 3 : 2;
      continue;
    }
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    if (next >= "0" && next <= "7") {
      const m = /^[0-7]{1,3}/.exec(body.slice(i + 1, i + 4))!;
      out += String.fromCodePoint(parseInt(m[0], 8));
      i += 1 + m[0].length;
      continue;
    }
    const hexLength = next === "x" ? 2 : next === "u" ? 4 : next === "U" ? 8 : 0;
    if (hexLength > 0) {
      const hex = body.slice(i + 2, i + 2 + hexLength);
      const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === hexLength ? parseInt(hex, 16) : NaN;
      if (!(code <= 0x10ffff)) return { ok: false, message: `invalid \\${next} escape`, offset: i };
      out += String.fromCodePoint(code);
      i += 2 + hexLength;
      continue;
    }
    if (next === "N") return { ok: false, message: "named unicode escapes (\\N{…}) are not supported", offset: i };
    // Unknown escapes keep the backslash, like Python.
    out += c + next;
    i += 2;
  }
  return { ok: true, value: out };
}
