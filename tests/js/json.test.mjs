// The package's position-aware JSON parser: JSON.parse's value, plus what JSON.parse hides.
import { test } from "node:test";
import assert from "node:assert/strict";
import { JsonSyntaxError, parseJson } from "../../generated/js/json.mjs";

test("gives JSON.parse's value, with __proto__ an own member", () => {
  const text = '{"a": [1, 2.5, "x\\u00e9", null, true], "__proto__": {"b": false}}';
  const parsed = parseJson(text);
  assert.deepEqual(parsed.value, JSON.parse(text));
  assert.ok(Object.hasOwn(parsed.value, "__proto__"));
  assert.equal(Object.getPrototypeOf(parsed.value), Object.prototype);
});

test("knows where each value and key is (line:column, columns in code points)", () => {
  const parsed = parseJson('{\n  "🎉": 1,\n  "list": [\n    10, 20]\n}');
  assert.deepEqual(parsed.valueAt("/🎉"), { line: 2, column: 8 });
  assert.deepEqual(parsed.keyAt("/list"), { line: 3, column: 3 });
  assert.deepEqual(parsed.valueAt("/list/1"), { line: 4, column: 9 });
  assert.equal(parsed.valueAt("/missing"), null);
});

test("reports duplicate keys (the last one wins, as in JSON.parse)", () => {
  const parsed = parseJson('{"n": 1,\n "n": 2}');
  assert.equal(parsed.value.n, 2);
  assert.deepEqual(parsed.duplicates, [
    { pointer: "/n", key: "n", line: 2, column: 2, firstLine: 1, firstColumn: 2 },
  ]);
});

test("reports numbers JSON.parse would round, and only those", () => {
  const parsed = parseJson("[9007199254740993, 0.1, 1e400, 1.0, 100, 0.30000000000000000001, -0]");
  assert.deepEqual(
    parsed.rounded.map((r) => r.pointer),
    ["/0", "/2", "/5"],
  );
  assert.equal(parsed.rounded[0].text, "9007199254740993");
});

test("bad JSON throws with line and column", () => {
  for (const [text, line, column] of [
    ['{"a": 1,}', 1, 9],
    ["[1, 2", 1, 6],
    ['{"a": NaN}', 1, 7],
    ['{\n  "a" 1}', 2, 7],
    ['"tab\there"', 1, 5],
    ["[1] [2]", 1, 5],
  ]) {
    assert.throws(() => parseJson(text), (error) => {
      assert.ok(error instanceof JsonSyntaxError, text);
      assert.deepEqual([error.line, error.column], [line, column], `${text}: ${error.message}`);
      return true;
    });
  }
});

test("refuses nesting deeper than the limit", () => {
  assert.throws(() => parseJson("[".repeat(300) + "]".repeat(300)), /nesting deeper than 256/);
  assert.equal(parseJson("[".repeat(20) + "]".repeat(20), { maxDepth: 20 }).value.length, 1);
  assert.throws(() => parseJson("[".repeat(21) + "]".repeat(21), { maxDepth: 20 }), JsonSyntaxError);
});
