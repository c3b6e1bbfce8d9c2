// Times JS validators on the bench bodies: node bench/js/bench.mjs WORKDIR [--quick] [--json]
// WORKDIR holds schema.json, bodies.json ({name, body, valid} with python-jsonschema's
// verdict) and genspec.mjs, as bench/bench_js.py writes them.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const HERE = dirname(fileURLToPath(import.meta.url));
const [work, ...flags] = process.argv.slice(2);
const quick = flags.includes("--quick");
const asJson = flags.includes("--json");
const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(join(work, "schema.json"), "utf8"));
const bodies = JSON.parse(readFileSync(join(work, "bodies.json"), "utf8"));
const build = join(HERE, ".build");
mkdirSync(build, { recursive: true });

// Each engine: how to build it (the module to import, for cold start and size, and a factory)
// and two calls: isValid (a verdict) and allErrors (every error, as the engine lists them).
const ENGINES = {
  "genspec-js": {
    entry: () => `export { isValid, validate } from ${JSON.stringify(join(work, "genspec.mjs"))};`,
    // Both calls answer "no error" (advice warnings are reported, never block): they are
    // checked against `accepted`, which equals `valid` once warnings live in x-advice.
    verdict: "accepted",
    make: (m) => ({
      isValid: (x) => m.isValid(x),
      allErrors: (x) => m.validate(x).filter((f) => f.severity === "error"),
    }),
  },
  "ajv standalone": {
    entry: () => {
      const Ajv2020 = require("ajv/dist/2020").default;
      const standalone = require("ajv/dist/standalone").default;
      const files = {};
      for (const allErrors of [false, true]) {
        const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors, code: { source: true, esm: true } });
        const name = allErrors ? "ajv-standalone-all.mjs" : "ajv-standalone.mjs";
        // ajv's ESM output still calls require() for its runtime helpers: import them instead.
        const helpers = new Map();
        const code = standalone(ajv, ajv.compile(schema)).replace(/require\("([^"]+)"\)/g, (_, path) => {
          if (!helpers.has(path)) helpers.set(path, `__helper${helpers.size}`);
          return helpers.get(path);
        });
        const imports = [...helpers].map(([path, id]) => `import ${id} from ${JSON.stringify(path + ".js")};`);
        writeFileSync(join(build, name), imports.join("\n") + "\n" + code);
        files[allErrors] = join(build, name);
      }
      return `export { default as fast } from ${JSON.stringify(files[false])};\nexport { default as all } from ${JSON.stringify(files[true])};`;
    },
    make: (m) => ({ isValid: (x) => m.fast(x), allErrors: (x) => (m.all(x) ? [] : m.all.errors) }),
  },
  ajv: {
    entry: () => `export { default } from "ajv/dist/2020.js";\nexport const schema = ${JSON.stringify(schema)};`,
    make: (m) => {
      const Ajv = m.default.default ?? m.default;
      const fast = new Ajv({ strict: false, validateFormats: false }).compile(m.schema);
      const all = new Ajv({ strict: false, validateFormats: false, allErrors: true }).compile(m.schema);
      return { isValid: (x) => fast(x), allErrors: (x) => (all(x) ? [] : all.errors) };
    },
  },
  "@exodus/schemasafe": {
    entry: () => `export { validator } from "@exodus/schemasafe";\nexport const schema = ${JSON.stringify(schema)};`,
    make: (m) => {
      // Its default mode refuses the spec (unknown keyword x-rule): "spec" mode follows the spec.
      const fast = m.validator(m.schema, { mode: "spec" });
      const all = m.validator(m.schema, { mode: "spec", includeErrors: true, allErrors: true });
      return { isValid: (x) => fast(x), allErrors: (x) => (all(x) ? [] : all.errors) };
    },
  },
  typebox: {
    entry: () => `export { Compile } from "typebox/compile";\nexport const schema = ${JSON.stringify(schema)};`,
    make: (m) => {
      const checker = m.Compile(m.schema);
      return { isValid: (x) => checker.Check(x), allErrors: (x) => [...checker.Errors(x)] };
    },
  },
  "@cfworker/json-schema": {
    entry: () => `export { Validator } from "@cfworker/json-schema";\nexport const schema = ${JSON.stringify(schema)};`,
    make: (m) => {
      const fast = new m.Validator(m.schema, "2020-12", true);
      const all = new m.Validator(m.schema, "2020-12", false);
      return { isValid: (x) => fast.validate(x).valid, allErrors: (x) => all.validate(x).errors };
    },
  },
};

function writeEntries() {
  const entries = {};
  for (const [name, engine] of Object.entries(ENGINES)) {
    const file = join(build, `entry-${name.replace(/[^a-z0-9]+/gi, "-")}.mjs`);
    writeFileSync(file, engine.entry());
    entries[name] = file;
  }
  return entries;
}

function minifiedGzipped(entry) {
  const esbuild = join(HERE, "node_modules", ".bin", "esbuild");
  const bundle = execFileSync(esbuild, [entry, "--bundle", "--minify", "--format=esm", "--platform=neutral", "--main-fields=module,main", "--log-level=error"], { cwd: HERE, maxBuffer: 1 << 28 });
  return gzipSync(bundle, { level: 9 }).length;
}

function coldStartMs(name, entry) {
  // A fresh process: import, build, then the first call; the best of three.
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), work, "--cold", name, entry], { encoding: "utf8" });
    runs.push(Number(out));
  }
  return Math.min(...runs);
}

function loopsFor(call, list, budgetMs) {
  // Size the loop so one repeat lasts about a quarter of the budget (the first runs warm up).
  let loops = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let l = 0; l < loops; l++) for (const b of list) call(b.body);
    if (Number(process.hrtime.bigint() - start) > (budgetMs * 1e6) / 4 || loops > 1e6) return loops;
    loops *= 2;
  }
}

function repeat(call, list, loops) {
  const start = process.hrtime.bigint();
  for (let l = 0; l < loops; l++) for (const b of list) call(b.body);
  return Number(process.hrtime.bigint() - start) / (loops * list.length);
}

// Every engine's repeats take turns (so load from elsewhere hits all alike); best repeat wins.
function timeAll(calls, list, budgetMs, rounds) {
  const loops = calls.map((call) => loopsFor(call, list, budgetMs));
  const best = calls.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    calls.forEach((call, i) => (best[i] = Math.min(best[i], repeat(call, list, loops[i]))));
  }
  return best;
}

async function main() {
  if (flags[0] === "--cold") return;
  const entries = writeEntries();
  const engines = {};
  const disagreements = {};
  for (const [name, engine] of Object.entries(ENGINES)) {
    engines[name] = engine.make(await import(pathToFileURL(entries[name]).href));
    const verdict = ENGINES[name].verdict ?? "valid";
    disagreements[name] = bodies.filter((b) => engines[name].isValid(b.body) !== b[verdict]).length;
    const allDisagree = bodies.filter((b) => (engines[name].allErrors(b.body).length === 0) !== b[verdict]).length;
    disagreements[name] += allDisagree;
  }
  const mixes = { valid: bodies.filter((b) => b.valid), invalid: bodies.filter((b) => !b.valid), mixed: bodies };
  const results = {};
  for (const mix of Object.keys(mixes)) results[mix] = {};
  for (const [mix, list] of Object.entries(mixes)) {
    for (const call of ["isValid", "allErrors"]) {
      const names = Object.keys(ENGINES);
      const times = timeAll(names.map((n) => engines[n][call]), list, quick ? 100 : 300, quick ? 5 : 9);
      names.forEach((name, i) => {
        results[mix][name] ??= {};
        results[mix][name][call] = times[i];
      });
    }
  }
  const extra = {};
  for (const [name, entry] of Object.entries(entries)) {
    extra[name] = { coldStartMs: coldStartMs(name, entry), gzipBytes: minifiedGzipped(entry) };
  }
  if (asJson) {
    process.stdout.write(JSON.stringify({ bodies: bodies.length, disagreements, results, extra }, null, 2) + "\n");
    return;
  }
  console.log(`${bodies.length} bodies (${mixes.invalid.length} invalid per python-jsonschema), node ${process.version}`);
  console.log("ns per body; (x) = ratio to the fastest other engine on that column; size = minified+gzipped bundle with the schema\n");
  const names = Object.keys(ENGINES);
  const header = ["engine", ...Object.keys(mixes).flatMap((m) => [`${m} isValid`, `${m} allErrors`]), "cold ms", "size KB", "disagree"];
  const rows = names.map((name) => {
    const cells = [name];
    for (const mix of Object.keys(mixes)) {
      for (const call of ["isValid", "allErrors"]) {
        const ns = results[mix][name][call];
        const others = names.filter((n) => n !== "genspec-js").map((n) => results[mix][n][call]);
        const ratio = name === "genspec-js" ? ` (${(ns / Math.min(...others)).toFixed(2)}x)` : "";
        cells.push(`${ns.toFixed(0)}${ratio}`);
      }
    }
    cells.push(extra[name].coldStartMs.toFixed(1), (extra[name].gzipBytes / 1024).toFixed(1), String(disagreements[name]));
    return cells;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => "| " + cells.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  console.log(line(header));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const row of rows) console.log(line(row));
}

async function cold() {
  const [, name, entry] = flags;
  const start = performance.now();
  const engine = ENGINES[name].make(await import(pathToFileURL(entry).href));
  engine.isValid(bodies[0].body);
  process.stdout.write(String(performance.now() - start));
}

if (flags[0] === "--cold") await cold();
else await main();
