import { errorResponseSchema } from "./protocol.js";

/** A request to a DA node that failed: unreachable, timed out, or answered with an error status. */
export class NodeRequestError extends Error {
  override name = "NodeRequestError";
  constructor(
    readonly url: string,
    message: string,
    readonly status?: number,
  ) {
    super(`${url}: ${message}`);
  }
}

/**
 * Fetches JSON with a timeout and bounded retries on network errors and 5xx answers (4xx answers are
 * final: the node refused the input). Never hangs longer than attempts x timeout.
 */
export async function fetchJson(
  url: string,
  init: { method?: string; body?: unknown; timeoutMs: number; retries: number },
): Promise<unknown> {
  let lastError: NodeRequestError | undefined;
  // A reset on a reused keep-alive socket says nothing about the node: it gets one extra attempt.
  let resetRetries = 1;
  for (let attempt = 0; attempt <= init.retries; attempt++) {
    try {
      const response = await fetch(url, {
        method: init.method ?? "GET",
        headers: init.body === undefined ? undefined : { "content-type": "application/json" },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(init.timeoutMs),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new NodeRequestError(url, `answered ${response.status} with a body that is not JSON`, response.status);
      }
      if (response.ok) return json;
      const reason = errorResponseSchema.safeParse(json);
      const error = new NodeRequestError(
        url,
        reason.success ? reason.data.error : `status ${response.status}`,
        response.status,
      );
      if (response.status < 500) throw error;
      lastError = error;
    } catch (error) {
      if (error instanceof NodeRequestError && error.status !== undefined && error.status < 500) throw error;
      lastError = error instanceof NodeRequestError ? error : new NodeRequestError(url, describeFetchError(error));
      if (lastError.message.includes("ECONNRESET") && resetRetries-- > 0) {
        attempt--;
        continue;
      }
    }
    if (attempt < init.retries) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
  }
  throw lastError ?? new NodeRequestError(url, "request failed");
}

/** fetch() says only "fetch failed"; the reason (refused, reset, timeout) is in its cause. */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError") return "timed out";
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause?.code
    ? `${error.message} (${cause.code})`
    : cause?.message
      ? `${error.message} (${cause.message})`
      : error.message;
}
