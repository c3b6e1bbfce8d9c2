// Compiled by tests/js/types.test.mjs with tsc --strict: the client's declarations must type the
// whole generation loop as a TypeScript user writes it, and reject what they must not.
import {
  ApiError,
  GenerationFailed,
  GenerationTimeout,
  LeonardoClient,
  USER_AGENT,
  WebhookInvalid,
  WebhookUnauthorized,
  describeFinding,
  parseWebhook,
  validate,
  type GeneratedImage,
  type Generation,
  type InitImageUpload,
  type WebhookPayload,
} from "leonardo-generations";

const client = new LeonardoClient({
  apiKey: "mock-api-key",
  baseUrl: "http://127.0.0.1:8000/api/rest/v1",
  headers: { "X-Trace": "t-1" },
  fetch: (input, init) => fetch(input, init),
});

async function loop(image: Uint8Array | Blob | string): Promise<string[]> {
  const upload: InitImageUpload = await client.uploadInitImage(image, { extension: "png" });
  const answer = await client.createGeneration({ prompt: "a cat", init_image_id: upload.id });
  const id = answer.sdGenerationJob?.generationId ?? "";
  const now: Generation = await client.getGeneration(id, { signal: AbortSignal.timeout(1000) });
  const status: string = now.status;
  try {
    const done = await client.waitForGeneration(id, { timeoutMs: 60_000, intervalMs: 500 });
    const images: GeneratedImage[] = await client.generate({ prompt: "a dog" }, { intervalMs: 500 });
    return [status, ...(done.generated_images ?? []).map((i) => i.url), ...images.map((i) => i.id)];
  } catch (error) {
    if (error instanceof GenerationFailed) return [error.generation.id];
    if (error instanceof GenerationTimeout) return [error.status, String(error.timeoutMs)];
    if (error instanceof ApiError) return [String(error.status), error.code ?? ""];
    throw error;
  }
}

function hook(body: string, authorization: string | undefined): number {
  try {
    const event: WebhookPayload = parseWebhook(body, authorization, "whk");
    return event.data.object.images?.length ?? 0;
  } catch (error) {
    if (error instanceof WebhookUnauthorized) return 401;
    if (error instanceof WebhookInvalid) return 400;
    throw error;
  }
}

// @ts-expect-error an init image is bytes, a Blob or a path, not a number
void client.uploadInitImage(3);
// @ts-expect-error the extension is one Leonardo accepts
void client.uploadInitImage("a.gif", { extension: "gif" });
// @ts-expect-error waiting takes milliseconds under timeoutMs, not seconds under timeout
void client.waitForGeneration("id", { timeout: 60 });

const lines: string[] = validate({ prompt: "x", numImages: 2 }).map(describeFinding);

void [loop, hook, USER_AGENT.length, lines];
