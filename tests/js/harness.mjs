// Runs compiled validators for the pytest side (tests/js/*.py): one process, many instances.
// Reads JSON lines {"module": path, "instance": value}, writes one JSON line per request:
// {"valid": isValid(x), "findings": [[instancePath, severity, ruleId, schemaPath, keyword,
// property, message], ...], "errors": the same for errors(x), "withoutAdvice": for
// validate(x, {advice: false})}
// or {"error": message} when the module fails to load or a validator throws.
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const modules = new Map();

async function load(path) {
  if (!modules.has(path)) modules.set(path, await import(pathToFileURL(path).href));
  return modules.get(path);
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let reply;
  try {
    const { module, instance } = JSON.parse(line);
    const validator = await load(module);
    const valid = validator.isValid(instance);
    const row = (f) => [f.instancePath, f.severity, f.ruleId, f.schemaPath, f.keyword, f.property, f.message];
    const findings = validator.validate(instance).map(row);
    const errors = validator.errors(instance).map(row);
    const withoutAdvice = validator.validate(instance, { advice: false }).map(row);
    reply = { valid, findings, errors, withoutAdvice };
  } catch (error) {
    reply = { error: String(error && error.stack ? error.stack : error) };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
}
