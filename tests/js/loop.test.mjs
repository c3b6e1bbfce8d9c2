// The JS client's whole generation loop against the real `genspec mock` (a subprocess on
// 127.0.0.1): create -> wait -> download the PNG; upload -> generate with that init image;
// 429/503 with Retry-After and dropped connections retried; webhooks; the key never shown.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { inflateSync } from "node:zlib";
import {
  ApiError,
  AuthenticationError,
  ConnectionFailed,
  GenerationFailed,
  GenerationNotFound,
  GenerationTimeout,
  InvalidApiKey,
  LeonardoClient,
  RateLimited,
  RequestInvalid,
  ServerError,
  USER_AGENT,
  WebhookInvalid,
  WebhookUnauthorized,
  parseWebhook,
} from "../../generated/js/index.mjs";
import { MOCK_KEY, NO_GENSPEC, startMock } from "./genspec_mock.mjs";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const BODY = { prompt: "A lighthouse at dusk", num_images: 2, width: 512, height: 384 };
const FAST = { intervalMs: 20, timeoutMs: 15_000 };
const when = { skip: NO_GENSPEC };
let mock;

before(async () => {
  if (!NO_GENSPEC) mock = await startMock("--delay", "0.3");
});
after(async () => mock?.stop());

function client(url = mock.url, options = {}) {
  return new LeonardoClient({ apiKey: MOCK_KEY, baseUrl: url, backoffMs: 1, ...options });
}

/** Width and height of a PNG, after checking its signature, chunks and pixel data size. */
function pngSize(bytes) {
  const data = Buffer.from(bytes);
  assert.deepEqual([...data.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks = {};
  for (let offset = 8; offset < data.length; ) {
    const length = data.readUInt32BE(offset);
    chunks[data.toString("latin1", offset + 4, offset + 8)] = data.subarray(offset + 8, offset + 8 + length);
    offset += 12 + length;
  }
  assert.ok(chunks.IEND, "no IEND chunk");
  const width = chunks.IHDR.readUInt32BE(0);
  const height = chunks.IHDR.readUInt32BE(4);
  assert.deepEqual([chunks.IHDR[8], chunks.IHDR[9]], [8, 2]); // 8-bit RGB
  assert.equal(inflateSync(chunks.IDAT).length, (width * 3 + 1) * height);
  return [width, height];
}

async function download(url) {
  const response = await fetch(url);
  assert.equal(response.headers.get("content-type"), "image/png");
  return new Uint8Array(await response.arrayBuffer());
}

function assertNoKey(value, key = MOCK_KEY) {
  for (const text of [inspect(value, { depth: 10, showHidden: true }), String(value?.stack), JSON.stringify(value) ?? ""]) {
    assert.ok(!text.includes(key), `the key is in: ${text.slice(0, 300)}`);
  }
}

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new assert.AssertionError({ message: "the call succeeded" });
}

test("create -> wait -> download: the images are real PNGs of the requested size", when, async () => {
  const c = client();
  const answer = await c.createGeneration(BODY);
  const id = answer.sdGenerationJob.generationId;
  assert.equal(answer.sdGenerationJob.cost.unit, "CREDITS");
  assert.equal((await c.getGeneration(id)).status, "PENDING");
  const done = await c.waitForGeneration(id, FAST);
  assert.equal(done.status, "COMPLETE");
  assert.deepEqual([done.imageWidth, done.imageHeight], [512, 384]);
  assert.equal(done.generated_images.length, 2);
  for (const image of done.generated_images) assert.deepEqual(pngSize(await download(image.url)), [512, 384]);
});

test("upload (bytes, Blob, path) -> generate with that init_image_id; the upload went without the key", when, async () => {
  const c = client(mock.url, { headers: { "X-Trace": "t-42", "User-Agent": "my-app/2" } });
  const [first] = await c.generate({ prompt: "A lighthouse", num_images: 1, width: 512, height: 512 }, FAST);
  const png = await download(first.url);
  const folder = mkdtempSync(join(tmpdir(), "genspec-upload-"));
  writeFileSync(join(folder, "face.png"), png);
  const sources = [png, new Blob([png]), join(folder, "face.png")];
  for (const source of sources) {
    const before = (await mock.requests()).length;
    const upload = await c.uploadInitImage(source);
    const images = await c.generate({ ...BODY, init_image_id: upload.id, init_strength: 0.5 }, FAST);
    assert.equal(images.length, 2);
    const [asked, uploaded] = (await mock.requests()).slice(before, before + 2);
    assert.deepEqual([asked.method, asked.path], ["POST", "/api/rest/v1/init-image"]);
    assert.equal(asked.headers.authorization, "<present>");
    assert.deepEqual([uploaded.method, uploaded.path], ["POST", "/mock-s3/upload"]);
    assert.equal(uploaded.headers.authorization, undefined, "the presigned POST carried Authorization");
    assert.match(uploaded.headers["content-type"], /^multipart\/form-data; boundary=/);
    assert.equal(asked.headers["x-trace"], "t-42");
    assert.equal(asked.headers["user-agent"], `my-app/2 ${USER_AGENT}`);
    assert.match(USER_AGENT, /^leonardo-generations\/\S+ \(genspec \S+\)$/);
  }
});

test("an init image id that was never uploaded is refused with the server's words", when, async () => {
  const error = await rejection(client().createGeneration({ prompt: "x", init_image_id: "a1b2c3d4-e5f6-7890-abcd-ef1234567890" }));
  assert.ok(error instanceof ApiError);
  assert.deepEqual([error.status, error.error, error.code], [400, "invalid init image id", "unexpected"]);
});

test("a failed generation rejects with GenerationFailed; an unknown id with GenerationNotFound", when, async () => {
  const failed = await rejection(client().generate({ prompt: "a castle [mock:fail]" }, FAST));
  assert.ok(failed instanceof GenerationFailed);
  assert.equal(failed.generation.status, "FAILED");
  assert.ok((await rejection(client().getGeneration("no-such-generation"))) instanceof GenerationNotFound);
});

test("waiting gives up after its timeout with the last status", when, async () => {
  const c = client();
  const id = (await c.createGeneration(BODY)).sdGenerationJob.generationId;
  const error = await rejection(c.waitForGeneration(id, { timeoutMs: 60, intervalMs: 20 }));
  assert.ok(error instanceof GenerationTimeout);
  assert.deepEqual([error.generationId, error.status], [id, "PENDING"]);
});

test("an injected fetch carries every request, the presigned upload included", when, async () => {
  const urls = [];
  const recording = (url, init) => {
    urls.push(`${init.method} ${new URL(url).pathname}`);
    return fetch(url, init);
  };
  const c = client(mock.url, { fetch: recording });
  const upload = await c.uploadInitImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]));
  await c.generate({ prompt: "x", num_images: 1, init_image_id: upload.id }, FAST);
  assert.deepEqual(urls.slice(0, 3), ["POST /api/rest/v1/init-image", "POST /mock-s3/upload", "POST /api/rest/v1/generations"]);
  assert.ok(urls.slice(3).every((line) => line.startsWith("GET /api/rest/v1/generations/")) && urls.length > 3);
});

test("429 and 503 with Retry-After are retried; without retries they surface typed", when, async () => {
  const faulty = await startMock("--delay", "0", "--failure-rate", "0.5", "--retry-after", "0", "--seed", "7");
  try {
    const patient = client(faulty.url, { maxRetries: 30 });
    for (let i = 0; i < 5; i++) assert.equal((await patient.generate({ prompt: "x", num_images: 1 }, FAST)).length, 1);
    const seen = new Set();
    for (let i = 0; i < 12; i++) {
      try {
        await client(faulty.url, { maxRetries: 0 }).createGeneration(BODY);
        seen.add("ok");
      } catch (error) {
        assert.ok(error instanceof RateLimited || error instanceof ServerError, String(error));
        assert.equal(error.retryAfterMs, 0);
        seen.add(error.status);
      }
    }
    assert.ok(seen.has(429) && seen.has(503), [...seen].join()); // the faults were there
  } finally {
    await faulty.stop();
  }
});

test("dropped connections: GETs are retried, a POST that reached the server is never resent", when, async () => {
  const dropping = await startMock("--drop-rate", "0.5", "--seed", "3");
  try {
    const c = client(dropping.url, { maxRetries: 30 });
    for (let i = 0; i < 8; i++) assert.ok((await rejection(c.getGeneration("nope"))) instanceof GenerationNotFound);
    let cutOff = 0;
    for (let i = 0; i < 10; i++) {
      try {
        await c.createGeneration(BODY);
      } catch (error) {
        assert.ok(error instanceof ConnectionFailed, String(error));
        assertNoKey(error);
        cutOff++;
      }
    }
    const posts = (await dropping.requests()).filter((r) => r.method === "POST" && r.path.endsWith("/generations"));
    assert.ok(cutOff > 0 && cutOff < 10, `cut off: ${cutOff}`);
    assert.equal(posts.length, 10);
  } finally {
    await dropping.stop();
  }
});

test("the key is never in an error, JSON or inspect output, on any failure path", when, async () => {
  const errors = [
    await rejection(client().createGeneration({ prompt: "x", init_image_id: "a1b2c3d4-e5f6-7890-abcd-ef1234567890" })),
    await rejection(client().createGeneration({ prompt: "x", num_images: 9 })),
    await rejection(client().getGeneration("nope")),
    await rejection(client().generate({ prompt: "[mock:fail]" }, FAST)),
    await rejection(client().uploadInitImage(new Uint8Array([1, 2, 3]))),
    await rejection(client(mock.url, { apiKey: `${MOCK_KEY}-wrong` }).createGeneration(BODY)),
    await rejection(client("http://127.0.0.1:9/api/rest/v1", { maxRetries: 1 }).createGeneration(BODY)),
  ];
  const kinds = [ApiError, RequestInvalid, GenerationNotFound, GenerationFailed, RequestInvalid, AuthenticationError, ConnectionFailed];
  errors.forEach((error, index) => {
    assert.ok(error instanceof kinds[index], `${index}: ${error}`);
    assertNoKey(error);
    assertNoKey(error, `${MOCK_KEY}-wrong`);
  });
  const c = client();
  assertNoKey(c);
  assert.ok(!String(Object.values(c)).includes(MOCK_KEY));
  const badKey = (() => {
    try {
      new LeonardoClient({ apiKey: `${MOCK_KEY}\r` });
    } catch (error) {
      return error;
    }
  })();
  assert.ok(badKey instanceof InvalidApiKey);
  assert.match(badKey.message, /ends with a carriage return \(CR\)/);
  assertNoKey(badKey);
});

test("webhooks: delivered by the mock, checked in constant time, parsed tolerantly", when, async () => {
  const received = [];
  let arrived;
  const arrival = new Promise((resolve) => (arrived = resolve));
  const receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      received.push({ authorization: request.headers.authorization, body });
      response.end();
      arrived();
    });
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const webhookKey = "whk-mock-1";
  const hooked = await startMock("--delay", "0.2", "--webhook-url", `http://127.0.0.1:${receiver.address().port}/hook`, "--webhook-key", webhookKey);
  try {
    const id = (await client(hooked.url).createGeneration(BODY)).sdGenerationJob.generationId;
    await arrival;
    const [{ authorization, body }] = received;
    const compared = [];
    const real = process.getBuiltinModule; // Node 20.16+; without it the constant-time loop runs
    process.getBuiltinModule = real && ((name) => {
      const module = real.call(process, name);
      if (name !== "node:crypto") return module;
      return { ...module, timingSafeEqual: (a, b) => (compared.push([a.length, b.length]), module.timingSafeEqual(a, b)) };
    });
    try {
      const payload = parseWebhook(body, authorization, webhookKey);
      assert.equal(payload.type, "image_generation.complete");
      assert.equal(payload.data.object.id, id);
      assert.equal(payload.data.object.images.length, 2);
      assert.throws(() => parseWebhook(body, authorization, "another-key"), WebhookUnauthorized);
      assert.throws(() => parseWebhook(body, `Basic ${webhookKey}`, webhookKey), WebhookUnauthorized);
      assert.throws(() => parseWebhook(body, null, webhookKey), WebhookUnauthorized);
    } finally {
      process.getBuiltinModule = real;
    }
    if (real) assert.equal(compared.length, 4); // every check went through crypto.timingSafeEqual
    // Without node:crypto (a browser, an edge runtime) the constant-time loop decides alike.
    process.getBuiltinModule = undefined;
    try {
      assert.equal(parseWebhook(body, authorization, webhookKey).data.object.id, id);
      assert.throws(() => parseWebhook(body, authorization, "whk-mock-2"), WebhookUnauthorized);
      assert.throws(() => parseWebhook(body, authorization, "whk-mock"), WebhookUnauthorized);
    } finally {
      process.getBuiltinModule = real;
    }
    const extra = JSON.parse(body);
    extra.type = "image_generation.someday";
    extra.data.object.status = "ARCHIVED";
    extra.brandNew = { kept: true };
    const tolerant = parseWebhook(JSON.stringify(extra), authorization, webhookKey);
    assert.deepEqual([tolerant.type, tolerant.data.object.status, tolerant.brandNew.kept], ["image_generation.someday", "ARCHIVED", true]);
    for (const bad of ["not json", "[]", '{"type": "x", "data": {}}', new Uint8Array([0xff, 0xfe])]) {
      assert.throws(() => parseWebhook(bad, authorization, webhookKey), WebhookInvalid);
    }
    assert.throws(() => parseWebhook("x", authorization, webhookKey), (error) => !inspect(error).includes(webhookKey));
  } finally {
    await hooked.stop();
    receiver.close();
  }
});

test("the README's JavaScript loop runs as written against genspec mock", when, async () => {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const section = readme.split("## JavaScript and TypeScript", 2)[1].split("\n## ", 1)[0];
  const example = section.split("The whole loop against `genspec mock`", 2)[1].split("```js\n", 2)[1].split("```", 1)[0];
  assert.ok(example.includes('apiKey: "mock-api-key"') && example.includes("http://127.0.0.1:8000/api/rest/v1"));
  const project = mkdtempSync(join(tmpdir(), "genspec-readme-js-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(join(REPO, "generated", "js"), join(project, "node_modules", "leonardo-generations"));
  const port = new URL(mock.url).port;
  writeFileSync(join(project, "example.mjs"), example.replace('"mock-api-key"', JSON.stringify(MOCK_KEY)).replace(":8000/", `:${port}/`));
  const ran = spawnSync(process.execPath, [join(project, "example.mjs")], { encoding: "utf8", timeout: 60_000 });
  assert.equal(ran.status, 0, ran.stderr);
  assert.match(ran.stdout, /\/mock-cdn\//);
});
