import type { Finding } from "./validate_request.js";
import type { GenerationRequest } from "./index.js";

export declare const DEFAULT_BASE_URL: string;
export declare const ENDPOINT_PATH: string;
export declare const GENERATION_PATH: string;
export declare const INIT_IMAGE_PATH: string;
/** `leonardo-generations/<version> (genspec <version>)`, sent where the runtime allows it. */
export declare const USER_AGENT: string;
export declare const API_KEY_ENV: "LEONARDO_API_KEY";
export declare const MAX_RETRY_AFTER_MS: number;
export declare const DEFAULT_WAIT_TIMEOUT_MS: number;
export declare const DEFAULT_POLL_INTERVAL_MS: number;
export declare const WEBHOOK_BODY_LIMIT: number;
export declare const DEFAULT_MAX_RESPONSE_BYTES: number;
export declare const ERROR_BODY_LIMIT: number;

/** A value the spec lists, or any other string the API starts sending (kept as sent). */
type Open<Known extends string> = Known | (string & {});

export declare class LeonardoError extends Error {}
/** Its message lists every finding as `genspec validate` does (path, rule id, did-you-mean). */
export declare class RequestInvalid extends LeonardoError {
  readonly findings: Finding[];
}
/** One finding as `genspec validate` shows it: `path: rule-id: message (did you mean 'x'?)`. */
export declare function describeFinding(finding: Finding): string;
export declare class MissingApiKey extends LeonardoError {}
export declare class InvalidApiKey extends LeonardoError {}
export declare class ConnectionFailed extends LeonardoError {}
export declare class Timeout extends LeonardoError {}
export declare class ApiError extends LeonardoError {
  readonly status: number;
  /** Leonardo's `{error, path, code}` fields (null when the body lacks them). */
  readonly error: string | null;
  readonly path: string | null;
  readonly code: string | null;
  readonly body: unknown;
  readonly retryAfterMs: number | null;
}
export declare class AuthenticationError extends ApiError {}
export declare class RateLimited extends ApiError {}
export declare class ServerError extends ApiError {}
export declare class UnexpectedResponse extends LeonardoError {
  readonly status: number;
  readonly body: unknown;
}
export declare class GenerationNotFound extends LeonardoError {
  readonly generationId: string;
}
export declare class GenerationFailed extends LeonardoError {
  readonly generation: Generation;
}
export declare class GenerationTimeout extends LeonardoError {
  readonly generationId: string;
  readonly timeoutMs: number;
  /** The status at the last poll. */
  readonly status: string;
}
export declare class WebhookUnauthorized extends LeonardoError {}
export declare class WebhookInvalid extends LeonardoError {}

export declare function retryAfterMs(value: string | null | undefined, now?: number): number | null;

export interface ClientOptions {
  /** Defaults to process.env.LEONARDO_API_KEY. */
  apiKey?: string;
  baseUrl?: string;
  /** The deadline of a whole call, retries and waits included: an attempt still running then is
   * aborted (Timeout, not retried), and no retry wait ends past it. */
  timeoutMs?: number;
  maxRetries?: number;
  backoffMs?: number;
  /** Bytes of one answer's body read at most (default 8 MiB): a larger 2xx is UnexpectedResponse,
   * an error body is kept to its first ERROR_BODY_LIMIT bytes, as text. */
  maxResponseBytes?: number;
  /** Sent with every request (not Authorization); a User-Agent is put before genspec's own. */
  headers?: Record<string, string>;
  fetch?: typeof globalThis.fetch;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface WaitOptions extends CallOptions {
  /** How long to wait in all (default 300,000 ms). */
  timeoutMs?: number;
  /** The first wait between polls (default 2,000 ms); grows by half each poll, up to 8x. */
  intervalMs?: number;
}

export interface GenerationResponse {
  sdGenerationJob?: {
    generationId?: string;
    apiCreditCost?: number | null;
    cost?: { amount?: string; unit?: Open<"CREDITS" | "DOLLARS">; [key: string]: unknown } | null;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface GeneratedImage {
  id: string;
  url: string;
  nsfw?: boolean;
  likeCount?: number;
  [key: string]: unknown;
}

/** GET /generations/{id}'s `generations_by_pk`, read tolerantly. */
export interface Generation {
  id: string;
  status: Open<"PENDING" | "COMPLETE" | "FAILED">;
  generated_images?: GeneratedImage[];
  modelId?: string | null;
  prompt?: string | null;
  imageWidth?: number;
  imageHeight?: number;
  seed?: number | string | null;
  [key: string]: unknown;
}

/** POST /init-image's `uploadInitImage`: `id` is the init image id. */
export interface InitImageUpload {
  id: string;
  url: string;
  /** The presigned form fields, as a JSON string (as Leonardo sends them). */
  fields: string | Record<string, string>;
  key?: string;
  [key: string]: unknown;
}

export type ImageSource = Uint8Array | ArrayBuffer | Blob | string;

export interface WebhookPayload {
  type: Open<"image_generation.complete">;
  object?: string;
  api_version?: string;
  data: {
    object: {
      id: string;
      status?: Open<"PENDING" | "COMPLETE" | "FAILED">;
      images?: GeneratedImage[];
      seed?: number | string | null;
      prompt?: string | null;
      [key: string]: unknown;
    };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export declare function parseWebhook(
  body: string | Uint8Array | ArrayBuffer,
  authorization: string | null | undefined,
  webhookKey: string,
): WebhookPayload;

export declare class LeonardoClient {
  constructor(options?: ClientOptions);
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly backoffMs: number;
  readonly maxResponseBytes: number;
  createGeneration(body: GenerationRequest, options?: CallOptions): Promise<GenerationResponse>;
  getGeneration(generationId: string, options?: CallOptions): Promise<Generation>;
  waitForGeneration(generationId: string, options?: WaitOptions): Promise<Generation>;
  generate(body: GenerationRequest, options?: WaitOptions): Promise<GeneratedImage[]>;
  uploadInitImage(
    image: ImageSource,
    options?: CallOptions & { extension?: "png" | "jpg" | "jpeg" | "webp" },
  ): Promise<InitImageUpload>;
}
