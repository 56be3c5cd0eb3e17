/**
 * Structured logs: objects, not sentences. Pretty on a terminal, JSON lines otherwise. Each stage
 * takes a child logger with its own `stage` field.
 */
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(args: { level: string; pretty?: boolean }): Logger {
  const pretty = args.pretty ?? process.stdout.isTTY;
  return pino({
    level: args.level,
    base: undefined,
    ...(pretty ? { transport: { target: "pino-pretty", options: { colorize: true, ignore: "pid,hostname" } } } : {}),
  });
}
