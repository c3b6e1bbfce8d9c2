// A typed, fetch-based client for Create a Generation of Images (POST /generations).
// The body is validated locally first: on any error nothing is sent (RequestInvalid).
// 429 and 5xx answers and failed connections are retried (Retry-After honoured up to
// MAX_RETRY_AFTER_MS, else exponential jittered backoff); a timeout aborts the attempt through
// an AbortSignal and is not retried, since the POST may have reached the server. The API key
// lives in a private field: it is never in an error, a log line, JSON or util.inspect output.
import { validate } from "./validate_request.mjs";

export const DEFAULT_BASE_URL = __BASE_URL__;
export const ENDPOINT_PATH = __ENDPOINT_PATH__;
export const API_KEY_ENV = "LEONARDO_API_KEY";
export const MAX_RETRY_AFTER_MS = 60_000;
const MAX_BACKOFF_MS = 8_000;
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

export class LeonardoError extends Error {
  constructor(message) {
    super(message);
    this.name = new.target.name;
  }
}

/** The body breaks the spec's rules: `findings` are the errors validate() reported. */
export class RequestInvalid extends LeonardoError {
  constructor(findings) {
    const first = findings[0];
    const more = findings.length > 1 ? ` (and ${findings.length - 1} more)` : "";
    super(`request body is invalid: ${first.instancePath || "/"}: ${first.message}${more}`);
    this.findings = findings;
  }
}

export class MissingApiKey extends LeonardoError {}

/** The request never got an answer (connection refused, reset, DNS). */
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

function errorFor(status, body, retryAfterMs) {
  if (status === 401 || status === 403) return new AuthenticationError(status, body, retryAfterMs);
  if (status === 429) return new RateLimited(status, body, retryAfterMs);
  if (status >= 500) return new ServerError(status, body, retryAfterMs);
  return new ApiError(status, body, retryAfterMs);
}

/** Retry-After as milliseconds from now (delay-seconds or an HTTP-date); null if absent or bad. */
export function retryAfterMs(value, now = Date.now()) {
  if (value == null || value === "") return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

function environmentKey() {
  return globalThis.process?.env?.[API_KEY_ENV];
}

export class LeonardoClient {
  #apiKey;

  constructor({
    apiKey,
    baseUrl = DEFAULT_BASE_URL,
    timeoutMs = 60_000,
    maxRetries = 2,
    backoffMs = 500,
    fetch = globalThis.fetch,
  } = {}) {
    const key = apiKey ?? environmentKey();
    if (typeof key !== "string" || key === "") {
      throw new MissingApiKey(`no API key: pass { apiKey } or set ${API_KEY_ENV}`);
    }
    if (!(timeoutMs > 0) || !(maxRetries >= 0) || !(backoffMs >= 0)) {
      throw new RangeError("timeoutMs must be > 0, maxRetries and backoffMs >= 0");
    }
    this.#apiKey = key;
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.timeoutMs = timeoutMs;
    this.maxRetries = maxRetries;
    this.backoffMs = backoffMs;
    this.fetch = fetch;
  }

  toJSON() {
    return { baseUrl: this.baseUrl, timeoutMs: this.timeoutMs, maxRetries: this.maxRetries };
  }

  [INSPECT]() {
    return `LeonardoClient { baseUrl: ${JSON.stringify(this.baseUrl)}, apiKey: [hidden] }`;
  }

  /** POST the body; resolves to Leonardo's JSON answer, rejects with a LeonardoError. */
  async createGeneration(body, { signal } = {}) {
    const errors = validate(body).filter((finding) => finding.severity === "error");
    if (errors.length > 0) throw new RequestInvalid(errors);
    const payload = JSON.stringify(body);
    for (let retries = 0; ; retries++) {
      const outcome = await this.#attempt(payload, signal);
      const delay = this.#delay(outcome, retries);
      if (delay === null) {
        if (outcome instanceof Error) throw outcome;
        return outcome.body;
      }
      await sleep(delay, signal);
    }
  }

  #delay(outcome, retries) {
    if (retries >= this.maxRetries) return null;
    if (outcome instanceof ConnectionFailed) return this.#backoff(retries);
    if (!(outcome instanceof RateLimited || outcome instanceof ServerError)) return null;
    if (outcome.retryAfterMs === null) return this.#backoff(retries);
    return outcome.retryAfterMs <= MAX_RETRY_AFTER_MS ? outcome.retryAfterMs : null;
  }

  #backoff(retries) {
    const ceiling = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2 ** retries);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  async #attempt(payload, signal) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Timeout(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    const forward = () => controller.abort(signal.reason);
    signal?.addEventListener("abort", forward, { once: true });
    try {
      const response = await this.fetch(this.baseUrl + ENDPOINT_PATH, {
        method: "POST",
        headers: {
          authorization: `Bearer ${this.#apiKey}`,
          accept: "application/json",
          "content-type": "application/json",
        },
        body: payload,
        signal: controller.signal,
      });
      // A server that echoes the key must not put it into an error.
      const text = (await response.text()).replaceAll(this.#apiKey, "[hidden]");
      let body = text;
      try {
        body = text === "" ? null : JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      if (response.ok) return { body };
      return errorFor(response.status, body, retryAfterMs(response.headers.get("retry-after")));
    } catch (error) {
      if (controller.signal.aborted) {
        if (controller.signal.reason instanceof Timeout) return controller.signal.reason;
        throw controller.signal.reason;
      }
      // fetch rejects with a TypeError when no answer came; say so without echoing the request.
      const cause = error?.cause?.code ?? error?.code ?? error?.name ?? "error";
      return new ConnectionFailed(`could not reach ${this.baseUrl} (${cause})`);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", forward);
    }
  }
}
