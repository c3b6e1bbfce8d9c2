import type { Finding } from "./validate_request.js";
import type { GenerationRequest } from "./index.js";

export declare const DEFAULT_BASE_URL: string;
export declare const ENDPOINT_PATH: string;
export declare const API_KEY_ENV: "LEONARDO_API_KEY";
export declare const MAX_RETRY_AFTER_MS: number;

export declare class LeonardoError extends Error {}
export declare class RequestInvalid extends LeonardoError {
  readonly findings: Finding[];
}
export declare class MissingApiKey extends LeonardoError {}
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

export declare function retryAfterMs(value: string | null | undefined, now?: number): number | null;

export interface ClientOptions {
  /** Defaults to process.env.LEONARDO_API_KEY. */
  apiKey?: string;
  baseUrl?: string;
  timeoutMs?: number;
  maxRetries?: number;
  backoffMs?: number;
  fetch?: typeof globalThis.fetch;
}

export interface GenerationResponse {
  sdGenerationJob?: { generationId?: string; apiCreditCost?: number; [key: string]: unknown };
  [key: string]: unknown;
}

export declare class LeonardoClient {
  constructor(options?: ClientOptions);
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly backoffMs: number;
  createGeneration(body: GenerationRequest, options?: { signal?: AbortSignal }): Promise<GenerationResponse>;
}
