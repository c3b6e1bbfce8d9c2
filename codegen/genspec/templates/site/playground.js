// genspec playground: the generated validator (genspecRequest) and JSON parser (genspecJson) run
// on the editor's text; findings are placed as `genspec lint` places them (same ids, line:col).
"use strict";

const DATA = JSON.parse(document.getElementById("genspec-data").textContent);
const KEY_ANCHORED = new Set(DATA.keyAnchored);
const editor = document.getElementById("body");
const overlay = document.getElementById("overlay");
const list = document.getElementById("findings");
const statusLine = document.getElementById("status");
const tooltip = document.getElementById("tooltip");
const output = document.getElementById("output");
const HASH_PREFIX = "#body=";

// --- findings, as the CLI makes them (genspec.check / genspec.diagnostics) -------------------

function schemaRuleId(keyword) {
  return "schema-" + keyword.replace(/(?<!^)(?=[A-Z])/g, "-").toLowerCase();
}

function escapeToken(name) {
  return String(name).replaceAll("~", "~0").replaceAll("/", "~1");
}

// Where a pointer is; a pointer into nothing falls back to its deepest existing ancestor.
function locate(parsed, pointer, atKey) {
  for (let at = pointer; ; at = at.slice(0, at.lastIndexOf("/"))) {
    const found = (atKey && parsed.keyAt(at)) || parsed.valueAt(at);
    if (found) return found;
    if (at === "") return { line: 1, column: 1 };
  }
}

// --- did you mean: genspec.diagnostics.closest_name (difflib.get_close_matches, n=1, 0.7) ----

// The number of matching characters difflib.SequenceMatcher(None, a, b) finds.
function matchingCharacters(a, b) {
  const b2j = new Map();
  b.forEach((char, j) => b2j.set(char, [...(b2j.get(char) || []), j]));
  if (b.length >= 200) { // difflib's autojunk: very common characters are not indexed
    const limit = Math.floor(b.length / 100) + 1;
    for (const [char, places] of [...b2j]) if (places.length > limit) b2j.delete(char);
  }
  const longest = (alo, ahi, blo, bhi) => {
    let [besti, bestj, bestsize] = [alo, blo, 0];
    let j2len = new Map();
    for (let i = alo; i < ahi; i += 1) {
      const next = new Map();
      for (const j of b2j.get(a[i]) || []) {
        if (j < blo) continue;
        if (j >= bhi) break;
        const k = (j2len.get(j - 1) || 0) + 1;
        next.set(j, k);
        if (k > bestsize) [besti, bestj, bestsize] = [i - k + 1, j - k + 1, k];
      }
      j2len = next;
    }
    while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) [besti, bestj, bestsize] = [besti - 1, bestj - 1, bestsize + 1];
    while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) bestsize += 1;
    return [besti, bestj, bestsize];
  };
  let total = 0;
  const queue = [[0, a.length, 0, b.length]];
  while (queue.length) {
    const [alo, ahi, blo, bhi] = queue.pop();
    const [i, j, k] = longest(alo, ahi, blo, bhi);
    if (!k) continue;
    total += k;
    if (alo < i && blo < j) queue.push([alo, i, blo, j]);
    if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
  }
  return total;
}

function closestName(name, candidates) {
  const fold = (text) => text.replace(/[_-]/g, "").toLowerCase();
  const exact = new Map(candidates.map((c) => [fold(c), c]));
  if (exact.has(fold(name))) return exact.get(fold(name));
  const word = Array.from(name);
  let best = null;
  for (const candidate of [...candidates].sort()) {
    const other = Array.from(candidate);
    const total = other.length + word.length;
    const ratio = total ? (2 * matchingCharacters(other, word)) / total : 1;
    if (ratio >= 0.7 && (!best || ratio > best.ratio || (ratio === best.ratio && candidate > best.name))) {
      best = { ratio, name: candidate };
    }
  }
  return best ? best.name : null;
}

// --- the lint-only checks (genspec.diagnostics.lint_body), on the precomputed member tree ------

function jsonEqual(a, b) {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}

function matchesPattern(patterns, name) {
  return patterns.some((pattern) => {
    try {
      return new RegExp(pattern, "u").test(name);
    } catch {
      return true; // a pattern this engine cannot read admits the name, as the CLI does
    }
  });
}

function quoted(name) {
  return `'${name}'`;
}

function lintMembers(value, node, pointer, reported, out) {
  if (!node) return;
  if (Array.isArray(value)) {
    if (node.items) value.forEach((item, index) => lintMembers(item, node.items, `${pointer}/${index}`, reported, out));
    return;
  }
  if (value === null || typeof value !== "object") return;
  for (const [name, member] of Object.entries(value)) {
    const at = `${pointer}/${escapeToken(name)}`;
    if (node.known !== null && !node.known.includes(name)) {
      if (!reported.has(at) && !matchesPattern(node.patterns, name)) {
        const suggestion = closestName(name, node.known);
        const hint = suggestion ? `: did you mean ${quoted(suggestion)}?` : ": the spec does not define it";
        out.push({ ruleId: "unknown-key", severity: "warning", message: `unknown key ${quoted(name)}${hint}`, path: at });
      }
      continue;
    }
    const entry = (node.members && node.members[name]) || {};
    if (entry.deprecated) out.push({ ruleId: "deprecated-field", severity: "warning", message: entry.deprecated, path: at });
    if (member !== null && Object.hasOwn(entry, "default") && jsonEqual(member, entry.default)) {
      const shown = JSON.stringify(member).slice(0, 60);
      out.push({ ruleId: "default-value", severity: "warning", message: `${quoted(name)} is ${shown}, its default: omitting it gives the same request`, path: at });
    }
    lintMembers(member, entry.members, at, reported, out);
  }
}

function noEffect(body, out) {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return;
  for (const { name, switch: flag, onByDefault } of DATA.noEffect) {
    if (body[name] === undefined || body[name] === null) continue;
    const value = body[flag];
    const on = value === undefined || value === null ? onByDefault : value === true;
    if (!on) {
      const message = `${quoted(name)} has no effect while ${quoted(flag)} is off: send "${flag}": true or drop it`;
      out.push({ ruleId: "no-effect", severity: "warning", message, path: "/" + escapeToken(name) });
    }
  }
}

function findingsOf(text) {
  let parsed;
  try {
    parsed = genspecJson.parseJson(text);
  } catch (error) {
    if (!(error instanceof genspecJson.JsonSyntaxError)) throw error;
    return [{ ruleId: "invalid-json", severity: "error", message: error.reason, line: error.line, column: error.column, path: "" }];
  }
  const found = [];
  for (const dup of parsed.duplicates) {
    found.push({ ruleId: "duplicate-key", severity: "warning", message: `duplicate key '${dup.key}' (first at ${dup.firstLine}:${dup.firstColumn}): the API keeps this last value`, line: dup.line, column: dup.column, path: dup.pointer });
  }
  const unlocated = [];
  const reported = new Set();
  for (const error of genspecRequest.validate(parsed.value)) {
    const ruleId = error.ruleId || schemaRuleId(error.keyword);
    // Placed as every surface places it: at the value at instancePath, or, for an unknown
    // member, at that member's name (genspec.diagnostics.from_validator_error).
    const path = error.instancePath;
    let message = error.message;
    let anchor = "";
    if ((error.keyword === "additionalProperties" || error.keyword === "unevaluatedProperties") && error.property !== null) {
      const suggestion = path === "" && DATA.members && DATA.members.known ? closestName(error.property, DATA.members.known) : null;
      if (suggestion) message = `${message} (did you mean ${quoted(suggestion)}?)`;
      anchor = `${path}/${escapeToken(error.property)}`;
      reported.add(anchor);
    }
    unlocated.push({ ruleId, severity: error.severity, message, path, anchor });
  }
  lintMembers(parsed.value, DATA.members, "", reported, unlocated);
  noEffect(parsed.value, unlocated);
  const seen = new Set();
  for (const finding of unlocated) {
    const key = JSON.stringify([finding.ruleId, finding.severity, finding.message, finding.path]);
    if (seen.has(key)) continue; // a rule failing on two keywords at one place: said once
    seen.add(key);
    const place = finding.anchor
      ? locate(parsed, finding.anchor, true)
      : locate(parsed, finding.path, KEY_ANCHORED.has(finding.ruleId));
    found.push({ ...finding, ...place });
  }
  return found.sort((a, b) => a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
}

// --- positions: line:col counts code points, the textarea counts UTF-16 units -----------------

function offsetOf(text, line, column) {
  let offset = 0;
  for (let at = 1; at < line; at += 1) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  for (let at = 1; at < column && offset < text.length; at += 1) {
    offset += text.codePointAt(offset) > 0xffff ? 2 : 1;
  }
  return offset;
}

// The token starting at `start`: a string to its closing quote, a word or number, else one char.
function tokenEnd(text, start) {
  if (text[start] === '"') {
    for (let at = start + 1; at < text.length; at += 1) {
      if (text[at] === "\\") at += 1;
      else if (text[at] === '"') return at + 1;
      else if (text[at] === "\n") return at;
    }
    return text.length;
  }
  const word = /[^\s,:{}\[\]"]+/y;
  word.lastIndex = start;
  const match = word.exec(text);
  return match ? start + match[0].length : Math.min(start + 1, text.length);
}

// --- rendering --------------------------------------------------------------------------------

function describe(finding) {
  const rule = DATA.rules[finding.ruleId];
  const evidence = rule && rule.evidence ? `, ${rule.evidence}` : "";
  return `${finding.ruleId} (${finding.severity}${evidence}): ${finding.message}`;
}

function renderOverlay(text, findings) {
  const spans = findings
    .map((finding, index) => {
      const start = offsetOf(text, finding.line, finding.column);
      return { start, end: Math.max(tokenEnd(text, start), start + 1), index };
    })
    .sort((a, b) => a.start - b.start);
  overlay.replaceChildren();
  let at = 0;
  for (const span of spans) {
    if (span.start < at) continue; // overlapping findings: the list still shows every one
    overlay.append(document.createTextNode(text.slice(at, span.start)));
    const mark = document.createElement("mark");
    const finding = findings[span.index];
    mark.className = finding.severity;
    mark.dataset.index = String(span.index);
    mark.textContent = text.slice(span.start, Math.min(span.end, text.length)) || " ";
    overlay.append(mark);
    at = Math.min(span.end, text.length);
  }
  overlay.append(document.createTextNode(text.slice(at) + "\n"));
}

function renderList(findings) {
  list.replaceChildren();
  for (const finding of findings) {
    const item = document.createElement("li");
    item.className = `finding severity-${finding.severity}`;
    item.title = describe(finding);
    item.dataset.line = String(finding.line);
    item.dataset.column = String(finding.column);
    item.dataset.rule = finding.ruleId;
    const where = document.createElement("span");
    where.className = "where";
    where.textContent = `${finding.line}:${finding.column}`;
    const id = document.createElement("a");
    id.className = "id";
    id.href = `${DATA.rulesPage}#${encodeURIComponent(finding.ruleId)}`;
    id.textContent = finding.ruleId;
    const message = document.createElement("div");
    message.textContent = finding.message;
    item.append(where, id, message);
    item.addEventListener("click", (event) => {
      if (event.target === id) return;
      const offset = offsetOf(editor.value, finding.line, finding.column);
      editor.focus();
      editor.setSelectionRange(offset, offset);
    });
    list.append(item);
  }
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.length - errors;
  statusLine.textContent = findings.length
    ? `${errors} error(s), ${warnings} warning(s): ${errors ? "the API rejects this body" : "the API accepts this body"}`
    : "No findings: the API accepts this body.";
  statusLine.className = errors ? "severity-error" : warnings ? "severity-warning" : "";
}

let current = [];

function update() {
  const text = editor.value;
  current = findingsOf(text);
  renderOverlay(text, current);
  renderList(current);
  history.replaceState(null, "", HASH_PREFIX + encodeBody(text));
}

// --- share link: the body, UTF-8, base64url, in the hash -----------------------------------------

function encodeBody(text) {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function decodeBody(encoded) {
  const binary = atob(encoded.replaceAll("-", "+").replaceAll("_", "/"));
  return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

function bodyFromHash() {
  if (!location.hash.startsWith(HASH_PREFIX)) return null;
  try {
    return decodeBody(location.hash.slice(HASH_PREFIX.length));
  } catch {
    output.textContent = "The share link's body could not be decoded.";
    return null;
  }
}

// --- copy as curl / fetch ---------------------------------------------------------------------

function shellQuote(text) {
  return "'" + text.replaceAll("'", "'\\''") + "'";
}

function asCurl(text) {
  return [
    `curl --request POST ${shellQuote(DATA.url)}`,
    "  --header 'accept: application/json'",
    "  --header 'content-type: application/json'",
    '  --header "authorization: Bearer $LEONARDO_API_KEY"',
    `  --data-raw ${shellQuote(text)}`,
  ].join(" \\\n");
}

function asFetch(text) {
  return [
    `const response = await fetch(${JSON.stringify(DATA.url)}, {`,
    '  method: "POST",',
    "  headers: {",
    '    accept: "application/json",',
    '    "content-type": "application/json",',
    "    authorization: `Bearer ${process.env.LEONARDO_API_KEY}`,",
    "  },",
    `  body: ${JSON.stringify(text)},`,
    "});",
  ].join("\n");
}

async function copy(text, what) {
  output.textContent = text;
  try {
    await navigator.clipboard.writeText(text);
    output.dataset.copied = what;
  } catch {
    output.dataset.copied = ""; // no clipboard (file://, permissions): the text is shown to copy
  }
}

// --- wiring -----------------------------------------------------------------------------------

editor.addEventListener("input", update);
editor.addEventListener("scroll", () => {
  overlay.scrollTop = editor.scrollTop;
  overlay.scrollLeft = editor.scrollLeft;
});
editor.addEventListener("mousemove", (event) => {
  // The overlay lets the mouse through to the textarea, so hit-test the underlines by their boxes.
  const hit = (rect) => event.clientX >= rect.left && event.clientX <= rect.right && event.clientY >= rect.top && event.clientY <= rect.bottom;
  const mark = [...overlay.querySelectorAll("mark")].find((element) => [...element.getClientRects()].some(hit));
  if (!mark) {
    tooltip.hidden = true;
    return;
  }
  tooltip.textContent = describe(current[Number(mark.dataset.index)]);
  tooltip.style.left = `${event.clientX + 12}px`;
  tooltip.style.top = `${event.clientY + 16}px`;
  tooltip.hidden = false;
});
editor.addEventListener("mouseleave", () => {
  tooltip.hidden = true;
});
document.getElementById("gallery").addEventListener("change", (event) => {
  const example = DATA.examples[Number(event.target.value)];
  if (!event.target.value || !example) return;
  editor.value = example.text;
  update();
});
document.getElementById("share").addEventListener("click", () => copy(location.href, "share"));
document.getElementById("copy-curl").addEventListener("click", () => copy(asCurl(editor.value), "curl"));
document.getElementById("copy-fetch").addEventListener("click", () => copy(asFetch(editor.value), "fetch"));
window.addEventListener("hashchange", () => {
  const body = bodyFromHash();
  if (body !== null && body !== editor.value) {
    editor.value = body;
    update();
  }
});

editor.value = bodyFromHash() ?? (DATA.examples.find((e) => e.kind === "valid") || { text: "{}\n" }).text;
update();
