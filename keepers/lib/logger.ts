import { pino, type Logger } from "pino";

/** Logs go to stderr (fd 2) so that stdout stays clean for results and `--json`. */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  const level = options.level ?? process.env.VCLOUD_LOG_LEVEL ?? "info";
  return pino({ name: options.name ?? "vcloud", level, base: undefined }, pino.destination(2));
}

export type { Logger };
