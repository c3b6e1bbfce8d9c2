// Times JS validators on the bench mixes: node bench/js/bench.mjs WORKDIR [--quick] [--json]
// WORKDIR holds schema.json, mixes.json ({seed, mixes: [{name, bodies: [{body, valid,
// accepted}]}]} with python-jsonschema's verdicts) and genspec.mjs, as bench/bench_js.py
// writes them. Times are CPU time (process.cpuUsage), not wall time: the machine may be shared.
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
const { seed, mixes } = JSON.parse(readFileSync(join(work, "mixes.json"), "utf8"));
const build = join(HERE, ".build");
mkdirSync(build, { recursive: true });
const OURS = "genspec-js";
const CALLS = ["isValid", "allErrors"];

// Each engine: how to build it (the module to import, for cold start and size, and a factory)
// and two calls: isValid (a verdict) and allErrors (every constraint error, as the engine
// lists them). `extra` rows are timed and shown but never count as "the fastest other engine".
const ENGINES = {
  [OURS]: {
    entry: () => `export { errors, isValid, validate } from ${JSON.stringify(join(work, "genspec.mjs"))};`,
    // The other engines check the constraints only: errors(x) is genspec's like for like.
    verdict: "accepted",
    make: (m) => ({ isValid: (x) => m.isValid(x), allErrors: (x) => m.errors(x) }),
  },
  "genspec-js validate()": {
    extra: true,
    entry: () => `export { errors, isValid, validate } from ${JSON.stringify(join(work, "genspec.mjs"))};`,
    // validate(x): the constraint errors plus the advice warnings (what the advice costs).
    make: (m) => ({ isValid: (x) => m.isValid(x), allErrors: (x) => m.validate(x) }),
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
    // It reads every `id` member as a draft-04 identifier, the x-rule ids included, and cannot
    // resolve those against the spec's urn: `$id`: it gets the schema without `$id`.
    entry: () => `export { Validator } from "@cfworker/json-schema";\nexport const schema = ${JSON.stringify({ ...schema, $id: undefined })};`,
    make: (m) => {
      const fast = new m.Validator(m.schema, "2020-12", true);
      const all = new m.Validator(m.schema, "2020-12", false);
      return { isValid: (x) => fast.validate(x).valid, allErrors: (x) => all.validate(x).errors };
    },
  },
};
const NAMES = Object.keys(ENGINES);
const RIVALS = NAMES.filter((n) => n !== OURS && !ENGINES[n].extra);

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

function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function coldStartMs(name, entry) {
  // A fresh process: import, build, then the first call; CPU time, the best of three.
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), work, "--cold", name, entry], { encoding: "utf8" });
    runs.push(Number(out));
  }
  return Math.min(...runs);
}

// Each engine gets its own copy of the timing loop (a function made from source text here, in
// the bench, never in genspec's output), so no engine's calls shape the feedback another's
// loop is optimised with.
const LOOP = `
  const start = cpuMs();
  for (let l = 0; l < loops; l++) for (let i = 0; i < bodies.length; i++) call(bodies[i]);
  return cpuMs() - start;`;

function timer(call) {
  const loop = new Function("cpuMs", "call", "bodies", "loops", LOOP);
  return (bodies, loops) => loop(cpuMs, call, bodies, loops);
}

function loopsFor(run, bodies, repeatMs) {
  // Size the loop so one repeat lasts about repeatMs (these first runs also warm up). Many
  // short repeats, the best kept, shrug off the other processes of a shared machine.
  let loops = 1;
  while (run(bodies, loops) < repeatMs && loops < 1e6) loops *= 2;
  return loops;
}

// Every engine's repeats take turns (so load from elsewhere hits all alike); best repeat wins.
function timeAll(calls, bodies, repeatMs, rounds) {
  const runs = calls.map(timer);
  const loops = runs.map((run) => loopsFor(run, bodies, repeatMs));
  const best = calls.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    runs.forEach((run, i) => {
      best[i] = Math.min(best[i], (run(bodies, loops[i]) * 1e6) / (loops[i] * bodies.length));
    });
  }
  return best;
}

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => "| " + cells.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  return [line(header), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...rows.map(line)].join("\n");
}

async function main() {
  const entries = writeEntries();
  const engines = {};
  const disagreements = {};
  const everyBody = mixes.flatMap((mix) => mix.bodies);
  for (const name of NAMES) {
    engines[name] = ENGINES[name].make(await import(pathToFileURL(entries[name]).href));
    if (ENGINES[name].extra) continue;
    const verdict = ENGINES[name].verdict ?? "valid";
    const engine = engines[name];
    disagreements[name] =
      everyBody.filter((b) => engine.isValid(b.body) !== b[verdict]).length +
      everyBody.filter((b) => (engine.allErrors(b.body).length === 0) !== b[verdict]).length;
  }
  const results = {};
  for (const mix of mixes) {
    const bodies = mix.bodies.map((b) => b.body);
    results[mix.name] = {};
    for (const call of CALLS) {
      const times = timeAll(NAMES.map((n) => engines[n][call]), bodies, 10, quick ? 8 : 25);
      NAMES.forEach((name, i) => ((results[mix.name][name] ??= {})[call] = times[i]));
    }
  }
  const ratio = (mix, name, call) => results[mix][name][call] / Math.min(...RIVALS.map((n) => results[mix][n][call]));
  const worst = Object.fromEntries(
    CALLS.map((call) => [call, Math.max(...mixes.map((mix) => ratio(mix.name, OURS, call)))]),
  );
  const extra = {};
  for (const name of NAMES.filter((n) => !ENGINES[n].extra)) {
    extra[name] = { coldStartMs: coldStartMs(name, entries[name]), gzipBytes: minifiedGzipped(entries[name]) };
  }
  if (asJson) {
    process.stdout.write(JSON.stringify({ seed, disagreements, results, worst, extra }, null, 2) + "\n");
    return;
  }
  console.log(`seed ${seed}, node ${process.version}; CPU ns per body; (x) = ratio to the fastest of ${RIVALS.join(", ")}`);
  console.log(`genspec-js: isValid(x) and errors(x) (constraints only, like the others); "validate()" adds the advice\n`);
  console.log(`HEADLINE worst ratio over ${mixes.length} mixes: isValid ${worst.isValid.toFixed(2)}x, allErrors ${worst.allErrors.toFixed(2)}x\n`);
  for (const mix of mixes) {
    const invalid = mix.bodies.filter((b) => !b.accepted).length;
    console.log(`mix ${mix.name}: ${mix.bodies.length} bodies, ${invalid} invalid`);
    const rows = NAMES.map((name) => [
      name,
      ...CALLS.map((call) => {
        const ns = results[mix.name][name][call].toFixed(0);
        return name === OURS || ENGINES[name].extra ? `${ns} (${ratio(mix.name, name, call).toFixed(2)}x)` : ns;
      }),
    ]);
    console.log(table(["engine", "isValid", "allErrors"], rows) + "\n");
  }
  const rows = Object.entries(extra).map(([name, e]) => [
    name,
    e.coldStartMs.toFixed(1),
    (e.gzipBytes / 1024).toFixed(1),
    String(disagreements[name]),
  ]);
  console.log(table(["engine", "cold start CPU ms", "min+gz KB", "verdicts off"], rows));
}

async function cold() {
  const [, name, entry] = flags;
  const start = cpuMs();
  const engine = ENGINES[name].make(await import(pathToFileURL(entry).href));
  engine.isValid(mixes[0].bodies[0].body);
  process.stdout.write(String(cpuMs() - start));
}

if (flags[0] === "--cold") await cold();
else await main();
