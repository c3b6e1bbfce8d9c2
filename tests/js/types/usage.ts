// Compiled by tests/js/types.test.mjs with tsc --strict: the package's declarations must type
// what a TypeScript user writes, and reject what they must not.
import {
  ADVICE,
  ApiError,
  LeonardoClient,
  RULES,
  RequestInvalid,
  isValid,
  parseJson,
  validate,
  type Finding,
  type GenerationRequest,
} from "leonardo-generations";
import { isValid as isValidRequest } from "leonardo-generations/validate-request";

const body: GenerationRequest = { prompt: "a cat", num_images: 2, width: 768 };
const ok: boolean = isValid(body) && isValidRequest(body);
const findings: Finding[] = validate(body);
const first: string | null = findings[0]?.ruleId ?? null;
const severity: "error" | "warning" | undefined = findings[0]?.severity;
const message: string = RULES["num-images-max-4-when-large"]?.message ?? "";
const advice: readonly string[] = ADVICE;
const line: number | undefined = parseJson("{}").valueAt("")?.line;

async function send(client: LeonardoClient): Promise<string | undefined> {
  try {
    const answer = await client.createGeneration(body, { signal: AbortSignal.timeout(1000) });
    return answer.sdGenerationJob?.generationId;
  } catch (error) {
    if (error instanceof RequestInvalid) return error.findings[0]?.message;
    if (error instanceof ApiError) return `${error.status} ${error.code ?? ""}`;
    throw error;
  }
}

// @ts-expect-error prompt must be a string
const wrong: GenerationRequest = { prompt: 3 };

void [ok, first, severity, message, advice, line, send, wrong];
