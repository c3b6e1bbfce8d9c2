// A strict, position-aware JSON parser: the CLI's diagnostics for JavaScript users.
// parseJson(text) returns the value JSON.parse would (the last of duplicate keys wins, a
// "__proto__" key is an ordinary own member), plus where every value and key is, the duplicate
// keys and the numbers JSON.parse would round. Bad JSON throws JsonSyntaxError with line:column.

export class JsonSyntaxError extends SyntaxError {
  constructor(message, line, column, offset) {
    super(`${line}:${column}: ${message}`);
    this.name = "JsonSyntaxError";
    this.reason = message;
    this.line = line;
    this.column = column;
    this.offset = offset;
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

function token(key) {
  return "/" + String(key).replaceAll("~", "~0").replaceAll("/", "~1");
}

// The decimal a number literal writes, normalised: sign, significant digits, exponent.
function decimal(text) {
  const match = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/.exec(text);
  let digits = match[2] + (match[3] || "");
  let exponent = Number(match[4] || 0) - (match[3] || "").length;
  const lead = digits.search(/[^0]/);
  if (lead < 0) return "0";
  digits = digits.slice(lead);
  const trail = digits.length - digits.replace(/0+$/, "").length;
  digits = digits.slice(0, digits.length - trail);
  exponent += trail;
  return `${match[1]}${digits}e${exponent}`;
}

function rounds(text, value) {
  if (!Number.isFinite(value)) return true;
  return decimal(text) !== decimal(String(value).replace("e+", "e"));
}

class Parser {
  constructor(text, maxDepth) {
    this.text = text;
    this.maxDepth = maxDepth;
    this.values = new Map(); // pointer -> offset of the value
    this.keys = new Map(); // pointer -> offset of the member's key
    this.duplicates = [];
    this.rounded = [];
    this.lineStarts = null;
  }

  position(offset) {
    if (this.lineStarts === null) {
      this.lineStarts = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text[i] === "\n") this.lineStarts.push(i + 1);
    }
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    // Columns count code points, as the CLI's do.
    const column = [...this.text.slice(this.lineStarts[low], offset)].length + 1;
    return { line: low + 1, column };
  }

  fail(message, offset) {
    const { line, column } = this.position(offset);
    return new JsonSyntaxError(message, line, column, offset);
  }

  skip(offset) {
    WHITESPACE.lastIndex = offset;
    WHITESPACE.exec(this.text);
    return WHITESPACE.lastIndex;
  }

  document() {
    let offset = this.skip(0);
    if (offset >= this.text.length) throw this.fail("empty document: expected a JSON value", offset);
    const [value, end] = this.value(offset, 0, "");
    offset = this.skip(end);
    if (offset < this.text.length) throw this.fail("extra data after the JSON value", offset);
    return value;
  }

  value(offset, depth, pointer) {
    this.values.set(pointer, offset);
    const char = this.text[offset];
    if (char === "{") return this.object(offset, depth + 1, pointer);
    if (char === "[") return this.array(offset, depth + 1, pointer);
    if (char === '"') return this.string(offset);
    for (const [word, value] of [["true", true], ["false", false], ["null", null]]) {
      if (this.text.startsWith(word, offset)) return [value, offset + word.length];
    }
    NUMBER.lastIndex = offset;
    const match = NUMBER.exec(this.text);
    if (match) {
      const value = Number(match[0]);
      if (rounds(match[0], value)) {
        const { line, column } = this.position(offset);
        this.rounded.push({ pointer, text: match[0], value, line, column });
      }
      return [value, offset + match[0].length];
    }
    if (offset >= this.text.length) throw this.fail("unexpected end of input: expected a value", offset);
    const word = /^[A-Za-z]+/.exec(this.text.slice(offset, offset + 16));
    if (word) throw this.fail(`${word[0]} is not valid JSON`, offset);
    throw this.fail(`unexpected character ${JSON.stringify(char)}: expected a value`, offset);
  }

  string(offset) {
    let end = offset + 1;
    for (;;) {
      if (end >= this.text.length) throw this.fail("unterminated string", offset);
      const code = this.text.charCodeAt(end);
      if (code === 0x22) break;
      if (code < 0x20) throw this.fail("control character in a string (escape it)", end);
      end += code === 0x5c ? 2 : 1;
    }
    try {
      return [JSON.parse(this.text.slice(offset, end + 1)), end + 1];
    } catch {
      throw this.fail("invalid escape in a string", offset);
    }
  }

  enter(offset, depth) {
    if (depth > this.maxDepth) throw this.fail(`nesting deeper than ${this.maxDepth}`, offset);
  }

  array(offset, depth, pointer) {
    this.enter(offset, depth);
    const items = [];
    offset = this.skip(offset + 1);
    if (this.text[offset] === "]") return [items, offset + 1];
    for (;;) {
      const [item, end] = this.value(offset, depth, pointer + token(items.length));
      items.push(item);
      offset = this.skip(end);
      if (this.text[offset] === ",") offset = this.skip(offset + 1);
      else if (this.text[offset] === "]") return [items, offset + 1];
      else throw this.fail("expected ',' or ']' after an array item", offset);
    }
  }

  object(offset, depth, pointer) {
    this.enter(offset, depth);
    const members = {};
    const seen = new Map();
    offset = this.skip(offset + 1);
    if (this.text[offset] === "}") return [members, offset + 1];
    for (;;) {
      if (this.text[offset] !== '"') throw this.fail("expected a member name in double quotes", offset);
      const [key, afterKey] = this.string(offset);
      const here = pointer + token(key);
      if (seen.has(key)) {
        const first = this.position(seen.get(key));
        const { line, column } = this.position(offset);
        this.duplicates.push({ pointer: here, key, line, column, firstLine: first.line, firstColumn: first.column });
      }
      seen.set(key, offset);
      this.keys.set(here, offset);
      offset = this.skip(afterKey);
      if (this.text[offset] !== ":") throw this.fail("expected ':' after a member name", offset);
      const [value, end] = this.value(this.skip(offset + 1), depth, here);
      // defineProperty: "__proto__" must become an own member, as JSON.parse makes it.
      Object.defineProperty(members, key, { value, writable: true, enumerable: true, configurable: true });
      offset = this.skip(end);
      if (this.text[offset] === ",") offset = this.skip(offset + 1);
      else if (this.text[offset] === "}") return [members, offset + 1];
      else throw this.fail("expected ',' or '}' after an object member", offset);
    }
  }
}

export function parseJson(text, { maxDepth = 256 } = {}) {
  if (typeof text !== "string") throw new TypeError("parseJson expects a string");
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const parser = new Parser(source, maxDepth);
  const value = parser.document();
  const where = (table, pointer) => (table.has(pointer) ? parser.position(table.get(pointer)) : null);
  return {
    value,
    duplicates: parser.duplicates,
    rounded: parser.rounded,
    /** line and column of the value at a JSON Pointer (null when there is none). */
    valueAt: (pointer) => where(parser.values, pointer),
    /** line and column of the member name at a JSON Pointer (null for the root or an item). */
    keyAt: (pointer) => where(parser.keys, pointer),
  };
}
