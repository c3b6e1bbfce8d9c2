// A typed, fetch-based client for Leonardo's generation loop: create (POST /generations), get
// and wait (GET /generations/{id}), generate (create + wait), init-image uploads, webhooks.
// The body is validated locally first: on any error nothing is sent (RequestInvalid).
// 429 and 5xx answers are retried (Retry-After honoured up to MAX_RETRY_AFTER_MS, else
// exponential jittered backoff), and so are failed connections, where a repeat is safe: always
// for GET and the presigned upload, for a POST to the API only when it never reached the server.
// timeoutMs is the deadline of a whole call, retries and waits included (as the Python client's
// timeout): each attempt gets the time left through an AbortSignal (Timeout, not retried), and
// a wait that would end past the deadline is not taken (the last error is thrown). Answers are read
// tolerantly: a 2xx is never turned into an exception for a value the spec does not list.
// The API key lives in a private field: it is never in an error, a log line, JSON or
// util.inspect output, and never sent anywhere but the API (not to the presigned upload URL).
import { validate } from "./validate_request.mjs";

export const DEFAULT_BASE_URL = __BASE_URL__;
export const ENDPOINT_PATH = __ENDPOINT_PATH__;
export const GENERATION_PATH = "/generations/";
export const INIT_IMAGE_PATH = "/init-image";
export const USER_AGENT = __USER_AGENT__;
export const API_KEY_ENV = "LEONARDO_API_KEY";
export const MAX_RETRY_AFTER_MS = 60_000;
export const DEFAULT_WAIT_TIMEOUT_MS = 300_000;
export const DEFAULT_POLL_INTERVAL_MS = 2_000;
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024; // one answer's body
export const ERROR_BODY_LIMIT = 64 * 1024; // bytes of an error body kept (not parsed when cut)
const MAX_BACKOFF_MS = 8_000;
const INSPECT = Symbol.for("nodejs.util.inspect.custom");
const HIDDEN = "[hidden]";
// fetch failures that happen before a byte of the request is sent: safe to repeat any request.
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);
const IMAGE_TYPES = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp" };
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;

export class LeonardoError extends Error {
  constructor(message) {
    super(message);
    this.name = new.target.name;
  }
}

// Schema pointer of each closed object in the request schema -> the members it allows.
const MEMBER_NAMES = __MEMBER_NAMES__;

/** The request breaks the spec's rules: `findings` are the errors validate() reported; the
 * message lists each as `genspec validate` does. Nothing was sent. */
export class RequestInvalid extends LeonardoError {
  constructor(findings) {
    const lines = findings.map((f) => `  ${describeFinding(f)}`);
    super(`request body rejected (${findings.length} error(s)); nothing was sent:\n${lines.join("\n")}`);
    this.findings = findings;
  }
}

/**
 * One finding as `genspec validate` shows it: `path: rule-id: message (did you mean 'x'?)`.
 * An unknown member is placed at the member itself, as the CLI places it.
 */
export function describeFinding(finding) {
  let path = finding.instancePath;
  let message = finding.message;
  if ((finding.keyword === "additionalProperties" || finding.keyword === "unevaluatedProperties") && finding.property) {
    path += "/" + finding.property.replaceAll("~", "~0").replaceAll("/", "~1");
    const known = MEMBER_NAMES[finding.schemaPath.slice(0, finding.schemaPath.lastIndexOf("/"))] ?? [];
    const suggestion = closestName(finding.property, known);
    if (suggestion !== null) message += ` (did you mean ${pythonRepr(suggestion)}?)`;
  }
  const ruleId = finding.ruleId ?? "schema-" + finding.keyword.replace(/(?<!^)(?=[A-Z])/g, "-").toLowerCase();
  return `${path || "(body)"}: ${ruleId}: ${message}`;
}

const fold = (name) => name.replace(/[_-]/g, "").toLowerCase();

/** A member name quoted as Python's repr quotes it, so the text is the CLI's. */
function pythonRepr(name) {
  const quote = name.includes("'") && !name.includes('"') ? '"' : "'";
  const escaped = name.replaceAll("\\", "\\\\").replaceAll(quote, "\\" + quote);
  const control = (c) => ({ "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  return quote + escaped.replace(/[\x00-\x1f\x7f]/g, control) + quote;
}

/** The member `name` was probably meant to be: the same letters ignoring case, `_` and `-`,
 * else the closest with a similarity of at least 0.7 (Python difflib's ratio, as the CLI). */
function closestName(name, candidates) {
  const folded = new Map(candidates.map((candidate) => [fold(candidate), candidate]));
  if (folded.has(fold(name))) return folded.get(fold(name));
  let best = null;
  let bestScore = 0.7;
  for (const candidate of [...folded.values()].sort()) {
    const score = similarity(candidate, name);
    // difflib keeps the highest score, and of equal scores the greatest name
    if (score > bestScore || (score === bestScore && (best === null || candidate > best))) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/** difflib.SequenceMatcher(None, a, b).ratio() for short strings: 2 * matched / total length,
 * matched by longest common blocks, recursively left and right of each. */
function similarity(a, b) {
  const matched = (alo, ahi, blo, bhi) => {
    let size = 0;
    let atA = alo;
    let atB = blo;
    for (let i = alo; i < ahi; i++) {
      for (let j = blo; j < bhi; j++) {
        let k = 0;
        while (i + k < ahi && j + k < bhi && a[i + k] === b[j + k]) k++;
        if (k > size) [size, atA, atB] = [k, i, j];
      }
    }
    if (size === 0) return 0;
    return size + matched(alo, atA, blo, atB) + matched(atA + size, ahi, atB + size, bhi);
  };
  return a.length + b.length === 0 ? 1 : (2 * matched(0, a.length, 0, b.length)) / (a.length + b.length);
}

export class MissingApiKey extends LeonardoError {}

/** The key cannot be sent as a Bearer token; the message says why without showing it. */
export class InvalidApiKey extends LeonardoError {}

/** The request never got a complete answer (connection refused, reset, DNS, cut off). */
export class ConnectionFailed extends LeonardoError {}

/** No answer within the timeout; the attempt was aborted. */
export class Timeout extends LeonardoError {}

/** Leonardo answered with an error status; `error`, `path` and `code` come from its body. */
export class ApiError extends LeonardoError {
  constructor(status, body, retryAfterMs) {
    const fields = body && typeof body === "object" ? body : {};
    const text = (name) => (typeof fields[name] === "string" ? fields[name] : null);
    const detail = [text("error"), text("path") && `at ${text("path")}`, text("code") && `(${text("code")})`];
    super(`Leonardo answered ${status}` + (detail[0] ? `: ${detail.filter(Boolean).join(" ")}` : ""));
    this.status = status;
    this.error = text("error");
    this.path = text("path");
    this.code = text("code");
    this.body = body;
    this.retryAfterMs = retryAfterMs;
  }
}

export class AuthenticationError extends ApiError {}
export class RateLimited extends ApiError {}
export class ServerError extends ApiError {}

/** A success answer the loop cannot go on from (no generation id, no upload URL, too large). */
export class UnexpectedResponse extends LeonardoError {
  constructor(status, body, problem) {
    super(`Leonardo's ${status} answer is unusable: ${problem}`);
    this.status = status;
    this.body = body;
  }
}

export class GenerationNotFound extends LeonardoError {
  constructor(generationId) {
    super(`no generation with id ${JSON.stringify(generationId)}`);
    this.generationId = generationId;
  }
}

export class GenerationFailed extends LeonardoError {
  constructor(generation) {
    super(`generation ${JSON.stringify(generation.id)} ended with status FAILED`);
    this.generation = generation;
  }
}

export class GenerationTimeout extends LeonardoError {
  constructor(generationId, timeoutMs, status) {
    super(`generation ${JSON.stringify(generationId)} still ${status} after ${timeoutMs} ms`);
    this.generationId = generationId;
    this.timeoutMs = timeoutMs;
    this.status = status;
  }
}

/** A webhook call without `Authorization: Bearer <webhook key>`: answer it 401. */
export class WebhookUnauthorized extends LeonardoError {}
/** A webhook body that is not an event about a generation: answer it 400. */
export class WebhookInvalid extends LeonardoError {}

function errorFor(status, body, retryAfterMs) {
  if (status === 401 || status === 403) return new AuthenticationError(status, body, retryAfterMs);
  if (status === 429) return new RateLimited(status, body, retryAfterMs);
  if (status >= 500 && status <= 599) return new ServerError(status, body, retryAfterMs);
  return new ApiError(status, body, retryAfterMs);
}

/** Retry-After as milliseconds from now (delay-seconds or an HTTP-date); null if absent or bad. */
export function retryAfterMs(value, now = Date.now()) {
  if (value == null || value === "" || value.length > 64) return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function environmentKey() {
  return globalThis.process?.env?.[API_KEY_ENV];
}

/** What is wrong with `key` as a Bearer token, in words that never quote it; null if nothing. */
function keyProblem(key) {
  for (let index = 0; index < key.length; index++) {
    const code = key.charCodeAt(index);
    if (code > 0x7e) return "is not ASCII (keys are ASCII letters, digits and dashes)";
    if (code > 0x20 && code !== 0x7f) continue;
    const name = { 13: "a carriage return (CR)", 10: "a line feed (LF)", 0: "a NUL character", 9: "a tab", 32: "a space" }[code] ?? "a control character";
    if (key.slice(index).trim() === "") {
      const hint = code === 13 || code === 10 ? " (read from a file with CRLF line endings?)" : "";
      return `ends with ${name}${hint}: remove it`;
    }
    return `${index === 0 ? "starts with" : "contains"} ${name}`;
  }
  return null;
}

/** Browsers refuse a script's User-Agent (and would preflight it); elsewhere it is sent. */
function canSetUserAgent() {
  return typeof globalThis.document === "undefined";
}

function checkedHeaders(headers) {
  const checked = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!TOKEN.test(name)) throw new TypeError(`header name ${JSON.stringify(name)} is not an HTTP token`);
    const lower = name.toLowerCase();
    if (lower === "authorization") throw new TypeError("the Authorization header is the client's: pass { apiKey } instead");
    if (typeof value !== "string" || !FIELD_VALUE.test(value)) {
      throw new TypeError(`header ${name}: the value must be printable ASCII on one line`);
    }
    checked[lower] = value;
  }
  if (canSetUserAgent()) {
    checked["user-agent"] = checked["user-agent"] ? `${checked["user-agent"]} ${USER_AGENT}` : USER_AGENT;
  }
  return checked;
}

function finding(instancePath, keyword, message) {
  return { instancePath, schemaPath: "", keyword, ruleId: null, severity: "error", message, property: null };
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export class LeonardoClient {
  #apiKey;
  #fetch;
  #headers;

  constructor({
    apiKey,
    baseUrl = DEFAULT_BASE_URL,
    timeoutMs = 60_000,
    maxRetries = 2,
    backoffMs = 500,
    maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
    headers = {},
    fetch = globalThis.fetch,
  } = {}) {
    const key = apiKey ?? environmentKey();
    if (typeof key !== "string" || key === "") {
      throw new MissingApiKey(`no API key: pass { apiKey } or set ${API_KEY_ENV}`);
    }
    const problem = keyProblem(key);
    if (problem) throw new InvalidApiKey(`the API key (${apiKey == null ? API_KEY_ENV : "apiKey"}) ${problem}`);
    if (!(timeoutMs > 0) || !(maxRetries >= 0) || !(backoffMs >= 0) || !(maxResponseBytes > 0)) {
      throw new RangeError("timeoutMs and maxResponseBytes must be > 0, maxRetries and backoffMs >= 0");
    }
    if (typeof fetch !== "function") throw new TypeError("no fetch: pass { fetch } (Node 18+ has one)");
    this.#apiKey = key;
    this.#fetch = fetch;
    this.#headers = checkedHeaders(headers);
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.timeoutMs = timeoutMs;
    this.maxRetries = maxRetries;
    this.backoffMs = backoffMs;
    this.maxResponseBytes = maxResponseBytes;
  }

  toJSON() {
    return { baseUrl: this.baseUrl, timeoutMs: this.timeoutMs, maxRetries: this.maxRetries };
  }

  [INSPECT]() {
    return `LeonardoClient { baseUrl: ${JSON.stringify(this.baseUrl)}, apiKey: ${HIDDEN} }`;
  }

  /** POST the body; resolves to Leonardo's JSON answer as sent, rejects with a LeonardoError. */
  async createGeneration(body, { signal } = {}) {
    const errors = validate(body).filter((f) => f.severity === "error");
    if (errors.length > 0) throw new RequestInvalid(errors);
    const payload = JSON.stringify(body);
    const answer = await this.#call({ method: "POST", url: this.baseUrl + ENDPOINT_PATH, body: payload, signal });
    return answer.body;
  }

  /** The generation now (`generations_by_pk`): its status and, once COMPLETE, its images. */
  async getGeneration(generationId, { signal } = {}) {
    if (typeof generationId !== "string" || generationId === "") {
      throw new TypeError("generationId must be a non-empty string");
    }
    const url = this.baseUrl + GENERATION_PATH + encodeURIComponent(generationId);
    const answer = await this.#call({ method: "GET", url, idempotent: true, signal });
    const generation = isObject(answer.body) ? answer.body.generations_by_pk : undefined;
    if (generation === null) throw new GenerationNotFound(generationId);
    if (!isObject(generation)) throw new UnexpectedResponse(answer.status, this.#redacted(answer.body), "no generations_by_pk");
    return generation;
  }

  /**
   * Poll until the generation is COMPLETE (resolved) or FAILED (GenerationFailed). The wait
   * starts at intervalMs and grows by half each poll (up to 8 x intervalMs), with jitter; after
   * timeoutMs in all, GenerationTimeout. Statuses the spec does not list keep it waiting.
   */
  async waitForGeneration(generationId, { timeoutMs = DEFAULT_WAIT_TIMEOUT_MS, intervalMs = DEFAULT_POLL_INTERVAL_MS, signal } = {}) {
    if (!(timeoutMs > 0) || !(intervalMs > 0)) throw new RangeError("timeoutMs and intervalMs must be > 0");
    const deadline = Date.now() + timeoutMs;
    const ceiling = intervalMs * 8;
    let interval = intervalMs;
    for (;;) {
      const generation = await this.getGeneration(generationId, { signal });
      if (generation.status === "COMPLETE") return generation;
      if (generation.status === "FAILED") throw new GenerationFailed(generation);
      const left = deadline - Date.now();
      if (left <= 0) throw new GenerationTimeout(generationId, timeoutMs, String(generation.status));
      await sleep(Math.min(interval * (0.9 + Math.random() * 0.2), left), signal);
      interval = Math.min(interval * 1.5, ceiling);
    }
  }

  /** Create a generation, wait for it, and resolve to its images (each with `id` and `url`). */
  async generate(body, options = {}) {
    const answer = await this.createGeneration(body, { signal: options.signal });
    const generationId = answer?.sdGenerationJob?.generationId;
    if (typeof generationId !== "string" || generationId === "") {
      throw new UnexpectedResponse(200, this.#redacted(answer), "no sdGenerationJob.generationId");
    }
    const generation = await this.waitForGeneration(generationId, options);
    return Array.isArray(generation.generated_images) ? generation.generated_images : [];
  }

  /**
   * Upload an image for init_image_id (or a controlnet): asks POST /init-image for a presigned
   * upload, then posts the form fields and the file to its URL without the API key. `image` is
   * the file's bytes (Uint8Array, ArrayBuffer), a Blob or File, or a path (Node only);
   * `extension` (png, jpg, jpeg, webp) defaults to the name's suffix, else the bytes' signature.
   * Resolves to the upload (`uploadInitImage`: its `id` is the init image id).
   */
  async uploadInitImage(image, { extension, signal } = {}) {
    const { data, name } = await readImage(image);
    const chosen = imageExtension(data, name, extension);
    const asked = await this.#call({
      method: "POST",
      url: this.baseUrl + INIT_IMAGE_PATH,
      body: JSON.stringify({ extension: chosen }),
      signal,
    });
    const upload = isObject(asked.body) ? asked.body.uploadInitImage : undefined;
    const fields = isObject(upload) ? formFields(upload.fields) : null;
    if (!fields || typeof upload.id !== "string" || !/^https?:\/\//.test(String(upload.url))) {
      throw new UnexpectedResponse(asked.status, this.#redacted(asked.body), "no usable uploadInitImage");
    }
    const form = new FormData();
    for (const [field, value] of Object.entries(fields)) form.append(field, value);
    form.append("file", new Blob([data], { type: IMAGE_TYPES[chosen] }), `init-image.${chosen}`);
    await this.#call({ method: "POST", url: upload.url, form, authorized: false, idempotent: true, signal });
    return upload;
  }

  async #call(request) {
    const deadline = Date.now() + this.timeoutMs;
    for (let retries = 0; ; retries++) {
      const outcome = await this.#attempt(request, deadline);
      const delay = this.#delay(request, outcome, retries, deadline);
      if (delay === null) {
        if (outcome.error) throw outcome.error;
        return outcome;
      }
      await sleep(delay, request.signal);
    }
  }

  #delay(request, outcome, retries, deadline) {
    const delay = this.#retryDelay(request, outcome, retries);
    return delay !== null && Date.now() + delay < deadline ? delay : null;
  }

  #retryDelay(request, outcome, retries) {
    if (retries >= this.maxRetries) return null;
    const error = outcome.error;
    if (error instanceof ConnectionFailed) {
      return outcome.notSent || request.idempotent ? this.#backoff(retries) : null;
    }
    if (!(error instanceof RateLimited || error instanceof ServerError)) return null;
    if (error.retryAfterMs === null) return this.#backoff(retries);
    return error.retryAfterMs <= MAX_RETRY_AFTER_MS ? error.retryAfterMs : null;
  }

  #backoff(retries) {
    const ceiling = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2 ** retries);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  #redacted(value) {
    // A server that echoes the key must not put it into an error.
    if (typeof value === "string") return value.replaceAll(this.#apiKey, HIDDEN);
    if (value === null || typeof value !== "object") return value;
    const text = JSON.stringify(value).replaceAll(JSON.stringify(this.#apiKey).slice(1, -1), HIDDEN);
    try {
      return JSON.parse(text);
    } catch {
      return text; // the key's escaped form spanned JSON syntax: keep the redacted text
    }
  }

  #headersFor(request) {
    const headers = { accept: "application/json", ...this.#headers };
    if (request.body !== undefined) headers["content-type"] = "application/json";
    if (request.authorized !== false) headers.authorization = `Bearer ${this.#apiKey}`;
    return headers;
  }

  async #attempt(request, deadline) {
    const { signal } = request;
    const left = deadline - Date.now();
    const passed = () => new Timeout(`the call's deadline (timeoutMs ${this.timeoutMs}) passed`);
    if (left <= 0) return { error: passed() };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(passed()), left);
    const forward = () => controller.abort(signal.reason);
    signal?.addEventListener("abort", forward, { once: true });
    let answered = false;
    try {
      const response = await this.#fetch.call(globalThis, request.url, {
        method: request.method,
        headers: this.#headersFor(request),
        body: request.form ?? request.body,
        signal: controller.signal,
      });
      answered = true;
      const limit = response.ok ? this.maxResponseBytes : Math.min(this.maxResponseBytes, ERROR_BODY_LIMIT);
      const { bytes, over } = await readCapped(response, limit);
      if (over && response.ok) {
        return { error: new UnexpectedResponse(response.status, null, `the body is larger than maxResponseBytes (${limit} bytes)`) };
      }
      const text = new TextDecoder().decode(bytes);
      let body = text;
      try {
        body = text === "" ? null : over ? text : JSON.parse(text);
      } catch {
        // not JSON (an S3 error is XML): keep the text
      }
      if (response.ok) return { status: response.status, body };
      return { error: errorFor(response.status, this.#redacted(body), retryAfterMs(response.headers.get("retry-after"))) };
    } catch (error) {
      if (controller.signal.aborted) {
        if (controller.signal.reason instanceof Timeout) return { error: controller.signal.reason };
        throw controller.signal.reason;
      }
      // fetch rejects with a TypeError when no answer came; say so without echoing the request.
      const cause = error?.cause?.code ?? error?.code ?? error?.name ?? "error";
      const where = answered ? "the answer was cut off" : "could not reach";
      const host = new URL(request.url).host;
      return {
        error: new ConnectionFailed(`${request.method} ${host}: ${where} (${cause})`),
        notSent: !answered && NOT_SENT.has(cause),
      };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", forward);
    }
  }
}

/** The body's first `limit` bytes, and whether there was more (reading stops there). */
async function readCapped(response, limit) {
  if (!response.body) return { bytes: new Uint8Array(await response.arrayBuffer()), over: false };
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size > limit) {
      reader.cancel().catch(() => {});
      return { bytes: joined(chunks, size).subarray(0, limit), over: true };
    }
  }
  return { bytes: joined(chunks, size), over: false };
}

function joined(chunks, size) {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

// A variable, not a literal: bundlers for browsers then leave the Node-only import alone.
const NODE_FS = "node:fs/promises";

async function readImage(image) {
  if (image instanceof Uint8Array) return { data: image, name: null };
  if (image instanceof ArrayBuffer) return { data: new Uint8Array(image), name: null };
  if (typeof Blob !== "undefined" && image instanceof Blob) {
    return { data: new Uint8Array(await image.arrayBuffer()), name: typeof image.name === "string" ? image.name : null };
  }
  if (typeof image === "string") {
    if (!globalThis.process?.versions?.node) {
      throw new RequestInvalid([finding("", "file", "a path can only be read on Node; pass the bytes or a Blob")]);
    }
    const { readFile } = globalThis.process.getBuiltinModule?.(NODE_FS) ?? (await import(NODE_FS));
    try {
      return { data: new Uint8Array(await readFile(image)), name: image.split(/[\\/]/).pop() };
    } catch (error) {
      throw new RequestInvalid([finding("", "file", `cannot read ${JSON.stringify(image)}: ${error?.code ?? "error"}`)]);
    }
  }
  throw new TypeError("an init image is a Uint8Array, an ArrayBuffer, a Blob or a path");
}

function startsWith(data, bytes) {
  return bytes.every((byte, index) => data[index] === byte);
}

function imageExtension(data, name, extension) {
  let chosen = extension;
  if (chosen == null && name && name.includes(".")) chosen = name.split(".").pop();
  if (chosen == null) {
    if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) chosen = "png";
    else if (startsWith(data, [0xff, 0xd8, 0xff])) chosen = "jpg";
    else if (startsWith(data, [0x52, 0x49, 0x46, 0x46]) && String.fromCharCode(...data.subarray(8, 12)) === "WEBP") chosen = "webp";
  }
  chosen = String(chosen ?? "").toLowerCase();
  if (!Object.hasOwn(IMAGE_TYPES, chosen)) {
    const shown = chosen ? JSON.stringify(chosen) : "unknown";
    throw new RequestInvalid([finding("/extension", "enum", `an init image must be png, jpg, jpeg or webp, not ${shown}`)]);
  }
  return chosen;
}

/** The presigned form fields: Leonardo sends them as a JSON string; an object is taken too. */
function formFields(fields) {
  let parsed = fields;
  if (typeof fields === "string") {
    try {
      parsed = JSON.parse(fields);
    } catch {
      return null;
    }
  }
  if (!isObject(parsed) || !Object.values(parsed).every((value) => typeof value === "string")) return null;
  return parsed;
}

// --- webhooks ---------------------------------------------------------------------------------

const encoder = new TextEncoder();

/** a == b for byte arrays in time that depends on their lengths only. */
function constantTimeEqual(a, b) {
  const crypto = globalThis.process?.getBuiltinModule?.("node:crypto");
  if (crypto?.timingSafeEqual) {
    // timingSafeEqual needs equal lengths; compare b with itself otherwise, for the same time.
    return crypto.timingSafeEqual(a.length === b.length ? a : b, b) && a.length === b.length;
  }
  let difference = a.length ^ b.length;
  for (let index = 0; index < b.length; index++) difference |= (a[index] ?? 0) ^ b[index];
  return difference === 0;
}

/**
 * Check a webhook call and parse its payload. `authorization` is the request's Authorization
 * header (null if absent): it must be `Bearer <webhookKey>`, compared in constant time. Throws
 * WebhookUnauthorized (answer 401) or WebhookInvalid (answer 400); neither shows the key or the
 * header. The payload is returned as sent, unknown members and values kept.
 */
export function parseWebhook(body, authorization, webhookKey) {
  if (typeof webhookKey !== "string" || webhookKey === "") throw new TypeError("webhookKey must be a non-empty string");
  const header = typeof authorization === "string" ? authorization.trim() : "";
  const space = header.indexOf(" ");
  const scheme = space < 0 ? header : header.slice(0, space);
  const token = space < 0 ? "" : header.slice(space + 1).trim();
  const matches = constantTimeEqual(encoder.encode(token), encoder.encode(webhookKey)); // always run
  if (scheme.toLowerCase() !== "bearer" || !matches) {
    throw new WebhookUnauthorized("the webhook's Authorization is not Bearer <webhook key>");
  }
  const bytes = typeof body === "string" ? encoder.encode(body) : body instanceof ArrayBuffer ? new Uint8Array(body) : body;
  if (!(bytes instanceof Uint8Array)) throw new TypeError("a webhook body is a string, a Uint8Array or an ArrayBuffer");
  if (bytes.length > WEBHOOK_BODY_LIMIT) throw new WebhookInvalid(`the webhook body is larger than ${WEBHOOK_BODY_LIMIT} bytes`);
  let payload;
  try {
    payload = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new WebhookInvalid("the webhook body is not JSON in UTF-8");
  }
  const generation = isObject(payload) && isObject(payload.data) ? payload.data.object : undefined;
  if (typeof payload?.type !== "string" || !isObject(generation) || typeof generation.id !== "string") {
    throw new WebhookInvalid("the webhook body is not an event about a generation (type, data.object.id)");
  }
  return payload;
}
