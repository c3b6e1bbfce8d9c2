// The package's TypeScript declarations, checked by tsc --strict (from bench/js's devDependencies).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const TSC = join(REPO, "bench", "js", "node_modules", ".bin", "tsc");

test("the declarations type a TypeScript user's code (tsc --strict)", { skip: !existsSync(TSC) && "npm ci --prefix bench/js first" }, () => {
  const project = mkdtempSync(join(tmpdir(), "genspec-ts-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(join(REPO, "generated", "js"), join(project, "node_modules", "leonardo-generations"));
  const sources = readdirSync(join(REPO, "tests", "js", "types")).filter((name) => name.endsWith(".ts"));
  for (const name of sources) copyFileSync(join(REPO, "tests", "js", "types", name), join(project, name));
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        lib: ["es2022", "dom"],
        skipLibCheck: false,
      },
      files: sources,
    }),
  );
  const result = spawnSync(process.execPath, [TSC, "-p", project], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});
