import { describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import { parsePythonLiteral } from "./python-literal";

const parse = (source: string) => parsePythonLiteral({ source, file: "addons/x/__manifest__.py" });

function errorOf(source: string): DomainError {
  try {
    parse(source);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error(`no error for ${source}`);
}

describe("parsePythonLiteral", () => {
  it("reads a typical manifest with comments, trailing commas and nested values", () => {
    const src = `# -*- coding: utf-8 -*-
# Copyright 2024 Someone
{
    'name': "My Addon",  # the human name
    'version': '17.0.1.0.0',
    "depends": ['base', 'mail',],
    'data': [
        'security/ir.model.access.csv',
        'views/views.xml',
    ],
    'external_dependencies': {'python': ['unidecode'], 'bin': []},
    'installable': True,
    'auto_install': False,
    'application': None,
    'sequence': -10,
    'price': 1_000.5e0,
    'pair': (1, 2),
    'single': (3,),
    'empty': (),
    'grouped': ('a'),
    'hex': 0x1F,
    'set': {1, 2,},
    'empty_dict': {},
}
`;
    expect(parse(src)).toEqual({
      name: "My Addon",
      version: "17.0.1.0.0",
      depends: ["base", "mail"],
      data: ["security/ir.model.access.csv", "views/views.xml"],
      external_dependencies: { python: ["unidecode"], bin: [] },
      installable: true,
      auto_install: false,
      application: null,
      sequence: -10,
      price: 1000.5,
      pair: [1, 2],
      single: [3],
      empty: [],
      grouped: "a",
      hex: 31,
      set: [1, 2],
      empty_dict: {},
    });
  });

  it("handles every string form: quotes, triple quotes, concatenation, escapes, raw, u prefix", () => {
    expect(parse(`"a" 'b' """c"""`)).toBe("abc");
    expect(parse(`('one '\n  'two')`)).toBe("one two");
    expect(parse(`'''line1\nline2 "quoted" 'single' '''`)).toBe(`line1\nline2 "quoted" 'single' `);
    expect(parse(String.raw`'tab\there\nnl \'q\' \x41\u00e9\U0001F600 \101 \q'`)).toBe("tab\there\nnl 'q' Aé😀 A \\q");
    expect(parse(String.raw`r'C:\new\'x'`)).toBe(String.raw`C:\new\'x`);
    expect(parse(`u"unicode" R'\\d+'`)).toBe("unicode\\d+");
    expect(parse(`'continued \\\nline'`)).toBe("continued line");
    expect(parse(`"Café ✓"`)).toBe("Café ✓");
  });

  it("keeps __proto__ as an ordinary key", () => {
    const v = parse(`{'__proto__': 1}`) as Record<string, unknown>;
    expect(Object.hasOwn(v, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  it("refuses anything that is not a literal, naming the file and position", () => {
    const call = errorOf(`{\n  'name': _('My addon'),\n}`);
    expect(call.code).toBe("invalid_input");
    expect(call.message).toBe('addons/x/__manifest__.py line 2, column 11: function calls are not allowed (found "_(")');
    expect(call.details).toEqual({ file: "addons/x/__manifest__.py", line: 2, column: 11 });
    expect(errorOf(`{'v': VERSION}`).message).toContain('names are not allowed, only literals (found "VERSION")');
    expect(errorOf(`{'v': f"{x}"}`).message).toContain("f-strings are not literals");
    expect(errorOf(`{'v': b"x"}`).message).toContain("bytes literals are not allowed");
    expect(errorOf(`{'v': 1 + 2}`).message).toContain('expected "," or "}", found "+ 2}"');
    expect(errorOf(`{'v': 2j}`).message).toContain("complex numbers");
    expect(errorOf(`{'v': __import__('os').system('x')}`).message).toContain("function calls are not allowed");
    expect(errorOf(`{1: 'x'}`).message).toContain("dict keys must be strings");
    expect(errorOf(`{'a': 'x'`).message).toContain("found the end of the file");
    expect(errorOf(`{'a': 'x\n'}`).message).toBe("addons/x/__manifest__.py line 1, column 7: unterminated string");
    expect(errorOf(`{} {}`).message).toContain("after the literal");
    expect(errorOf(`# only a comment\n`).message).toContain("holds no Python literal");
    expect(errorOf(`{'a': 1, 'b'}`).message).toContain('expected ":" after a dict key');
    expect(errorOf(`[`.repeat(100) + `]`.repeat(100)).message).toContain("nesting deeper than 64 levels");
    expect(errorOf(String.raw`'\N{DASH}'`).message).toContain("named unicode escapes");
    expect(errorOf(String.raw`'\x4'`).message).toContain("invalid \\x escape");
  });
});
