// Python's fnmatch.fnmatch on POSIX (case-sensitive): `*` and `?` also match `/`, `[seq]` and
// `[!seq]` are character classes. module_auto_update's exclude patterns use these semantics,
// so `static/*` excludes everything under static/ and `*.pyc` matches at any depth.

const cache = new Map<string, RegExp>();

export function fnmatch(name: string, pattern: string): boolean {
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(`^${translate(pattern)}$`, "su");
    if (cache.size > 256) cache.clear();
    cache.set(pattern, re);
  }
  return re.test(name);
}

/** Port of fnmatch.translate (without the re-specific flags). */
function translate(pattern: string): string {
  const chars = [...pattern];
  let out = "";
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === "*") {
      out += ".*";
      while (chars[i + 1] === "*") i++;
    } else if (c === "?") out += ".";
    else if (c === "[") {
      let j = i + 1;
      if (chars[j] === "!") j++;
      if (chars[j] === "]") j++;
      while (j < chars.length && chars[j] !== "]") j++;
      if (j >= chars.length) out += "\\[";
      else {
        let body = chars.slice(i + 1, j).join("");
        i = j;
        const negate = body.startsWith("!");
        if (negate) body = body.slice(1);
        // Ranges (a-z) keep their meaning; everything else in the class is literal.
        out += `[${negate ? "^" : ""}${body.replace(/[\\\][^]/g, (m) => `\\${m}`)}]`;
      }
    } else out += escapeRegExp(c);
  }
  return out;
}

function escapeRegExp(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
