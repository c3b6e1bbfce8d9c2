// The generated client against a real HTTP server on 127.0.0.1 (node:http).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { inspect } from "node:util";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  ApiError,
  ConnectionFailed,
  InvalidApiKey,
  UnexpectedResponse,
  LeonardoClient,
  MissingApiKey,
  RateLimited,
  RequestInvalid,
  ServerError,
  Timeout,
  retryAfterMs,
} from "../../generated/js/index.mjs";

const KEY = "sk-test-secret-0123456789";
const BODY = { prompt: "a lighthouse at dusk", width: 512, height: 512 };
let server;
let baseUrl;
let script = []; // what the next requests get: [status, headers, body, delayMs]
let seen = [];

before(async () => {
  server = createServer((request, response) => {
    let text = "";
    const record = { method: request.method, url: request.url, headers: request.headers, body: "" };
    seen.push(record);
    request.on("data", (chunk) => (text += chunk));
    request.on("end", () => {
      record.body = text;
      const [status, headers, body, delay = 0] = script.shift() ?? [500, {}, { error: "unscripted" }];
      setTimeout(() => {
        response.writeHead(status, { "content-type": "application/json", ...headers });
        response.end(typeof body === "string" ? body : JSON.stringify(body));
      }, delay);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${server.address().port}/api/rest/v1`;
});

after(() => server.close());

function client(options = {}) {
  seen = [];
  return new LeonardoClient({ apiKey: KEY, baseUrl, backoffMs: 1, ...options });
}

const OK = [200, {}, { sdGenerationJob: { generationId: "g-1", apiCreditCost: 8 } }];

test("sends the validated body with the key and returns Leonardo's answer", async () => {
  script = [OK];
  const answer = await client().createGeneration(BODY);
  assert.equal(answer.sdGenerationJob.generationId, "g-1");
  assert.equal(seen.length, 1);
  assert.equal(seen[0].method, "POST");
  assert.equal(seen[0].url, "/api/rest/v1/generations");
  assert.equal(seen[0].headers.authorization, `Bearer ${KEY}`);
  assert.deepEqual(JSON.parse(seen[0].body), BODY);
});

test("an invalid body is refused locally: nothing is sent", async () => {
  script = [OK];
  const c = client();
  await assert.rejects(c.createGeneration({ prompt: "x", num_images: 9 }), (error) => {
    assert.ok(error instanceof RequestInvalid);
    assert.ok(error.findings.some((f) => f.instancePath === "/num_images"));
    return true;
  });
  assert.equal(seen.length, 0);
  script = [];
});

test("429 and 5xx are retried, honouring Retry-After", async () => {
  script = [[429, { "retry-after": "0" }, { error: "slow down" }], [503, {}, "busy"], OK];
  const answer = await client({ maxRetries: 2 }).createGeneration(BODY);
  assert.equal(answer.sdGenerationJob.apiCreditCost, 8);
  assert.equal(seen.length, 3);
});

test("after the allowed retries the typed error carries Leonardo's error, path and code", async () => {
  const failure = { error: "Internal error", path: "$.prompt", code: "unexpected" };
  script = [[500, {}, failure], [500, {}, failure]];
  await assert.rejects(client({ maxRetries: 1 }).createGeneration(BODY), (error) => {
    assert.ok(error instanceof ServerError && error instanceof ApiError);
    assert.equal(error.status, 500);
    assert.deepEqual([error.error, error.path, error.code], ["Internal error", "$.prompt", "unexpected"]);
    return true;
  });
  assert.equal(seen.length, 2);
});

test("a Retry-After longer than the cap is not waited out", async () => {
  script = [[429, { "retry-after": "3600" }, { error: "quota" }]];
  await assert.rejects(client({ maxRetries: 3 }).createGeneration(BODY), RateLimited);
  assert.equal(seen.length, 1);
});

test("other 4xx answers are not retried", async () => {
  script = [[400, {}, { error: "bad model", path: "$.modelId", code: "validation-failed" }]];
  await assert.rejects(client().createGeneration(BODY), (error) => error.code === "validation-failed");
  assert.equal(seen.length, 1);
});

test("a slow answer times out through an AbortSignal and is not retried", async () => {
  script = [[200, {}, {}, 3000]];
  await assert.rejects(client({ timeoutMs: 300, maxRetries: 3 }).createGeneration(BODY), Timeout);
  assert.equal(seen.length, 1);
});

test("timeoutMs bounds the whole call: a retry wait past the deadline is not taken", async () => {
  // Each 503 asks for a 1 s wait; with 1.5 s for the call, one retry fits and a second does not.
  const busy = [503, { "retry-after": "1" }, { error: "busy" }];
  script = [busy, busy, busy, busy];
  await assert.rejects(client({ timeoutMs: 1500, maxRetries: 3 }).createGeneration(BODY), ServerError);
  assert.equal(seen.length, 2);
  script = [];
});

test("timeoutMs bounds the whole call: a retry gets only the time left", async () => {
  // Two slow 503s: the first takes 700 ms of the call's 1 s, the retry is aborted at the deadline.
  script = [[503, {}, { error: "busy" }, 700], [503, {}, { error: "busy" }, 700], OK];
  await assert.rejects(client({ timeoutMs: 1000, maxRetries: 3 }).createGeneration(BODY), Timeout);
  assert.equal(seen.length, 2);
  script = [];
});

test("a refused connection is retried, then reported without the key", async () => {
  const closed = createServer();
  await new Promise((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = closed.address().port;
  await new Promise((resolve) => closed.close(resolve));
  const c = new LeonardoClient({ apiKey: KEY, baseUrl: `http://127.0.0.1:${port}`, backoffMs: 1, maxRetries: 1 });
  await assert.rejects(c.createGeneration(BODY), (error) => {
    assert.ok(error instanceof ConnectionFailed);
    assert.ok(!String(error.stack).includes(KEY) && !inspect(error).includes(KEY));
    return true;
  });
});

test("the key is never in an error, JSON or inspect output", async () => {
  script = [[401, {}, { error: `invalid key ${KEY}`, code: "unauthorized" }]];
  const c = client();
  await assert.rejects(c.createGeneration(BODY), (error) => {
    assert.ok(!inspect(error, { depth: 10, showHidden: true }).includes(KEY));
    assert.ok(!JSON.stringify(error).includes(KEY));
    return true;
  });
  assert.ok(!inspect(c, { depth: 10, showHidden: true }).includes(KEY));
  assert.ok(!JSON.stringify(c).includes(KEY));
  assert.ok(!String(Object.values(c)).includes(KEY));
});

test("the key comes from LEONARDO_API_KEY when not passed", async () => {
  const saved = process.env.LEONARDO_API_KEY;
  try {
    delete process.env.LEONARDO_API_KEY;
    assert.throws(() => new LeonardoClient({ baseUrl }), MissingApiKey);
    process.env.LEONARDO_API_KEY = "from-env";
    script = [OK];
    seen = [];
    await new LeonardoClient({ baseUrl }).createGeneration(BODY);
    assert.equal(seen[0].headers.authorization, "Bearer from-env");
  } finally {
    if (saved === undefined) delete process.env.LEONARDO_API_KEY;
    else process.env.LEONARDO_API_KEY = saved;
  }
});

test("Retry-After takes seconds or an HTTP date", () => {
  assert.equal(retryAfterMs("2"), 2000);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.equal(retryAfterMs("soon"), null);
  assert.equal(retryAfterMs(null), null);
});

const generation = (status, extra = {}) => [200, {}, { generations_by_pk: { id: "g-1", status, generated_images: [], ...extra } }];

test("an unknown status is kept and waited through; unknown members are kept", async () => {
  const image = { id: "i-1", url: "https://cdn.example/i-1.png", brandNew: 1 };
  script = [generation("QUEUED"), generation("PENDING"), generation("COMPLETE", { generated_images: [image], extra: "kept" })];
  const done = await client().waitForGeneration("g-1", { intervalMs: 1, timeoutMs: 5_000 });
  assert.equal(seen.length, 3);
  assert.equal(seen[0].url, "/api/rest/v1/generations/g-1");
  assert.deepEqual([done.status, done.extra, done.generated_images[0].brandNew], ["COMPLETE", "kept", 1]);
});

test("a 2xx with values the spec does not list is returned as sent, not an exception", async () => {
  const job = { generationId: "g-1", apiCreditCost: "lots", cost: { amount: 3, unit: "TOKENS" }, newField: [1] };
  script = [[200, {}, { sdGenerationJob: job }]];
  assert.deepEqual((await client().createGeneration(BODY)).sdGenerationJob, job);
});

test("the generation id cannot escape its path", async () => {
  script = [generation("PENDING")];
  await client().getGeneration("../../init-image?x=1");
  assert.equal(seen[0].url, "/api/rest/v1/generations/..%2F..%2Finit-image%3Fx%3D1");
});

test("a short key does not mangle answers (only bodies put into errors are redacted)", async () => {
  script = [generation("PENDING")];
  const answer = await new LeonardoClient({ apiKey: "k", baseUrl }).getGeneration("g-1");
  assert.equal(answer.status, "PENDING");
});

test("bad headers and keys are refused on construction, never echoing the key", () => {
  for (const headers of [{ Authorization: "Bearer x" }, { "Bad Name": "v" }, { "X-Ok": "line\nbreak" }]) {
    assert.throws(() => client({ headers }), TypeError);
  }
  for (const apiKey of [`${KEY}\r`, ` ${KEY}`, `${KEY} x`, `${KEY}é`]) {
    assert.throws(() => client({ apiKey }), (error) => error instanceof InvalidApiKey && !inspect(error).includes(KEY));
  }
});

test("the presigned upload takes fields as an object too, and sends the file after them", async () => {
  const upload = { id: "u-1", url: `${baseUrl}/s3`, fields: { key: "uploads/u-1.png", policy: "p" }, key: "uploads/u-1.png" };
  script = [[200, {}, { uploadInitImage: upload }], [204, {}, ""]];
  const answer = await client().uploadInitImage(new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])]));
  assert.equal(answer.id, "u-1");
  assert.deepEqual(JSON.parse(seen[0].body), { extension: "png" });
  assert.equal(seen[1].headers.authorization, undefined);
  const body = seen[1].body;
  assert.ok(body.indexOf('name="key"') < body.indexOf('name="policy"') && body.indexOf('name="policy"') < body.indexOf('name="file"'));
  assert.match(body, /filename="init-image\.png"\r\nContent-Type: image\/png/);
});

test("a User-Agent naming genspec is sent, except in a browser, which forbids setting it", async () => {
  script = [OK, OK];
  await client().createGeneration(BODY);
  assert.match(seen[0].headers["user-agent"], /^leonardo-generations\/\S+ \(genspec \S+\)$/);
  globalThis.document = {};
  try {
    const browserLike = client();
    await browserLike.createGeneration(BODY);
  } finally {
    delete globalThis.document;
  }
  assert.doesNotMatch(seen[0].headers["user-agent"] ?? "", /genspec/); // node's own, if any
});

const ESBUILD = fileURLToPath(new URL("../../bench/js/node_modules/.bin/esbuild", import.meta.url));

test("the package bundles for browsers: the Node-only file read stays out of the bundle", { skip: !existsSync(ESBUILD) && "npm ci --prefix bench/js first" }, () => {
  const entry = fileURLToPath(new URL("../../generated/js/index.mjs", import.meta.url));
  const built = spawnSync(ESBUILD, [entry, "--bundle", "--platform=browser", "--format=esm", "--log-level=error"], { encoding: "utf8" });
  assert.equal(built.status, 0, built.stderr);
  assert.doesNotMatch(built.stdout, /from\s*"node:/);
});

test("an endless 2xx body stops at maxResponseBytes; a huge error body is kept to its first 64 KiB", async () => {
  const endless = createServer((request, response) => {
    request.resume();
    response.writeHead(request.url.endsWith("/generations") ? 200 : 500, { "content-type": "application/json" });
    const chunk = Buffer.alloc(65536, 0x5b); // "[[[[..."
    let sent = 0;
    const pump = () => {
      while (sent < 100_000 && response.write(chunk)) sent++; // 6.5 GB if the client never stopped
      if (sent < 100_000) response.once("drain", pump);
    };
    response.on("error", () => {});
    response.socket.on("close", () => (sent = 100_000));
    pump();
  });
  await new Promise((resolve) => endless.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${endless.address().port}/api/rest/v1`;
  const c = new LeonardoClient({ apiKey: KEY, baseUrl: url, maxResponseBytes: 100_000, maxRetries: 0 });
  try {
    await assert.rejects(c.createGeneration(BODY), (error) => {
      assert.ok(error instanceof UnexpectedResponse);
      assert.match(error.message, /larger than maxResponseBytes \(100000 bytes\)/);
      return true;
    });
    await assert.rejects(c.getGeneration("g-1"), (error) => {
      assert.ok(error instanceof ServerError);
      assert.equal(typeof error.body, "string");
      assert.equal(error.body.length, 65536);
      return true;
    });
  } finally {
    endless.closeAllConnections();
    endless.close();
  }
});
