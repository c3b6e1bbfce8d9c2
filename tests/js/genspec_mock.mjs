// The real `genspec mock` for the JS client's tests: a subprocess on 127.0.0.1, on a free port.
// The executable: $GENSPEC, else `genspec` on PATH (the project's venv activated). When it is
// missing the tests skip saying so; when GENSPEC is set it must work (.ci/run sets it).
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { createInterface } from "node:readline";

export const MOCK_KEY = "mock-test-key-0123456789abcdef";

export function findGenspec() {
  if (process.env.GENSPEC) return process.env.GENSPEC;
  for (const folder of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(folder || ".", "genspec");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export const GENSPEC = findGenspec();
export const NO_GENSPEC = GENSPEC
  ? false
  : "no genspec executable: activate the project's venv (pip install -e '.[dev]') or set GENSPEC";

const running = new Set();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Start `genspec mock --port 0 OPTIONS...`; resolves once it listens (it prints its URL). */
export async function startMock(...options) {
  const command = ["mock", "--host", "127.0.0.1", "--port", "0", "--api-key", MOCK_KEY, ...options];
  const child = spawn(GENSPEC, command, { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let errors = "";
  child.stderr.on("data", (chunk) => (errors += chunk));
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`genspec mock did not start in 30 s: ${errors}`)), 30_000);
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once("exit", (code) => reject(new Error(`genspec mock exited (${code}): ${errors}`)));
    child.once("error", (error) => reject(new Error(`cannot run ${GENSPEC}: ${error.code ?? error.message}`)));
  });
  const url = /on (http:\/\/127\.0\.0\.1:\d+\/api\/rest\/v1)/.exec(first)?.[1];
  if (!url) throw new Error(`unexpected first line from genspec mock: ${first}`);
  const origin = new URL(url).origin;
  return {
    url,
    origin,
    /** What the mock received, oldest first (GET /mock/requests). */
    async requests() {
      return (await (await fetch(`${origin}/mock/requests`)).json()).requests;
    },
    async stop() {
      running.delete(child);
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
