import type { Logger } from "../lib/logger.js";

/**
 * Runs `pass` every `intervalSeconds` until SIGINT or SIGTERM, logging each result and each failure (a failed
 * pass is retried at the next interval, never fatal for a daemon). Stops within 100 ms of the signal.
 */
export async function runKeeperDaemon<T>(options: {
  name: string;
  intervalSeconds: number;
  logger: Logger;
  pass: () => Promise<T>;
  summary?: (result: T) => object;
}): Promise<void> {
  let stopping = false;
  const stop = () => (stopping = true);
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    while (!stopping) {
      try {
        const result = await options.pass();
        options.logger.info(options.summary ? options.summary(result) : (result as object), `${options.name} pass`);
      } catch (error) {
        options.logger.error({ err: error }, `${options.name} pass failed; retrying next interval`);
      }
      for (let waited = 0; waited < options.intervalSeconds * 10 && !stopping; ++waited)
        await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}
