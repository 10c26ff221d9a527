import type { IncomingMessage, ServerResponse } from "node:http";

import { VcloudError } from "./errors.js";

/** A refused request (4xx) or a failure of the service (5xx), answered as `{"error": message}`. */
export class HttpStatusError extends VcloudError {
  override name = "HttpStatusError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Answers with a JSON body, unless an answer already started. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Reads a JSON request body of at most `limit` bytes (413 beyond it, 400 when it is not JSON). */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    size += (part as Buffer).length;
    if (size > limit) throw new HttpStatusError(413, `request body over ${limit} bytes`);
    parts.push(part as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(parts).toString("utf8"));
  } catch {
    throw new HttpStatusError(400, "body is not valid JSON");
  }
}
