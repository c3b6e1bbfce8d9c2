// JSON semantics of compiled validators: own members only, JSON numbers, code points,
// exact decimal multipleOf, Python-meaning patterns under the `u` flag, refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const folder = mkdtempSync(join(tmpdir(), "genspec-js-"));
let counter = 0;

function genspec(...args) {
  return spawnSync("genspec", args, { encoding: "utf8" });
}

async function compiled(schema) {
  const name = `s${counter++}`;
  writeFileSync(join(folder, `${name}.json`), JSON.stringify(schema));
  const result = genspec("compile", join(folder, `${name}.json`), "--target", "js", "-o", join(folder, `${name}.mjs`));
  assert.equal(result.status, 0, `${result.error ?? ""} ${result.signal ?? ""} ${result.stderr}`);
  return import(pathToFileURL(join(folder, `${name}.mjs`)).href);
}

test("inherited names are not members; __proto__ is an ordinary member", async () => {
  // Built with JSON.parse: in an object literal `__proto__:` would set the prototype.
  const m = await compiled(
    JSON.parse(
      '{"type": "object", "required": ["toString"], "additionalProperties": false,' +
        ' "properties": {"__proto__": {"type": "integer"}, "constructor": {"type": "string"}, "toString": {}}}',
    ),
  );
  assert.equal(m.isValid({}), false); // toString is inherited, not present
  assert.equal(m.isValid(JSON.parse('{"toString": 1}')), true);
  assert.equal(m.isValid(JSON.parse('{"toString": 1, "__proto__": 5}')), true);
  const bad = m.validate(JSON.parse('{"toString": 1, "__proto__": "x", "constructor": 2}'));
  assert.deepEqual(bad.map((f) => f.instancePath).sort(), ["/__proto__", "/constructor"]);
  assert.equal(m.isValid(JSON.parse('{"toString": 1, "hasOwnProperty": 1}')), false);
});

test("members inherited from a polluted Object.prototype are not members", async () => {
  const m = await compiled({
    type: "object",
    properties: { a: { type: "integer" } },
    patternProperties: { "^p": { type: "string" } },
    additionalProperties: false,
    propertyNames: { maxLength: 3 },
  });
  Object.prototype.a = "not an integer";
  Object.prototype.extra = 1;
  Object.prototype.plonger = 2;
  try {
    assert.equal(m.isValid({}), true);
    assert.deepEqual(m.validate({}), []);
    assert.equal(m.isValid({ a: 1, pq: "s" }), true);
    assert.deepEqual(m.validate({ a: "x" }).map((f) => f.instancePath), ["/a"]);
  } finally {
    delete Object.prototype.a;
    delete Object.prototype.extra;
    delete Object.prototype.plonger;
  }
});

test("integers are integral JSON numbers, booleans are not numbers", async () => {
  const m = await compiled({ type: "integer" });
  assert.equal(m.isValid(1.0), true);
  assert.equal(m.isValid(1e300), true);
  assert.equal(m.isValid(1.5), false);
  assert.equal(m.isValid(true), false);
  const e = await compiled({ enum: [1, "1", null] });
  assert.equal(e.isValid(1.0), true);
  assert.equal(e.isValid(true), false);
  assert.equal(e.isValid("1"), true);
  assert.equal(e.isValid(false), false);
});

test("string lengths count code points", async () => {
  const m = await compiled({ minLength: 2, maxLength: 2 });
  assert.equal(m.isValid("🎉🎉"), true); // 4 UTF-16 units, 2 code points
  assert.equal(m.isValid("🎉"), false);
  assert.equal(m.isValid("é🎉"), true);
  assert.equal(m.isValid("abc"), false);
});

test("multipleOf is exact for decimals", async () => {
  const m = await compiled({ multipleOf: 0.1 });
  assert.equal(m.isValid(0.3), true); // 0.3 / 0.1 is 2.9999999999999996 in floats
  assert.equal(m.isValid(0.35), false);
  assert.equal(m.isValid(1e308), true);
  const n = await compiled({ multipleOf: 0.123456789 });
  assert.equal(n.isValid(1e308), false);
  const k = await compiled({ multipleOf: 3 });
  assert.equal(k.isValid(9), true);
  assert.equal(k.isValid(10), false);
});

test("patterns keep Python's meaning under the u flag", async () => {
  const m = await compiled({ pattern: "^\\d+$" });
  assert.equal(m.isValid("123"), true);
  assert.equal(m.isValid("١٢٣"), true); // Arabic-Indic digits are \d in Python
  assert.equal(m.isValid("123\n"), true); // $ also matches before a final newline
  assert.equal(m.isValid("12a"), false);
  const dot = await compiled({ pattern: "^a.b$" });
  assert.equal(dot.isValid("a\u2028b"), true); // Python's . only excludes \n
  assert.equal(dot.isValid("a\nb"), false);
  const astral = await compiled({ pattern: "^.$" });
  assert.equal(astral.isValid("🎉"), true); // one code point under the u flag
});

test("patterns ECMAScript cannot run are refused at compile time", () => {
  for (const pattern of ["(?P<name>x)", "\\bword", "[\\W]", "(?i)abc", "a{,2}"]) {
    writeFileSync(join(folder, "bad.json"), JSON.stringify({ pattern }));
    const result = genspec("compile", join(folder, "bad.json"), "--target", "js", "-o", join(folder, "bad.mjs"));
    assert.equal(result.status, 1, pattern);
    assert.match(result.stderr, /cannot be run by ECMAScript/);
    assert.doesNotMatch(result.stderr, /Traceback/);
  }
});

test("generated modules use no eval, no Function and embed no schema", () => {
  const source = execFileSync("cat", [new URL("../../generated/js/validate_request.mjs", import.meta.url).pathname], { encoding: "utf8" });
  assert.doesNotMatch(source, /\beval\s*\(|new Function|Function\s*\(/);
  assert.doesNotMatch(source, /"description"|"\$defs"|"x-rule"/);
});
