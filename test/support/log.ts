/** A real pino logger whose JSON lines are collected in memory (the server's own logger, another destination). */
import pino, { type Logger } from "pino";

/** Pushes each JSON line the logger writes onto `lines`. */
export function captureLogger(lines: string[], level = "info"): Logger {
  return pino({ level, base: undefined }, { write: (line: string) => void lines.push(line.trimEnd()) });
}

export const silentLogger = (): Logger => pino({ level: "silent" });

/** The `msg` of each captured line. */
export const messages = (lines: string[]): string[] => lines.map((l) => String(JSON.parse(l).msg ?? ""));
