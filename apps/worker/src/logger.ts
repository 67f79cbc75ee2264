import { pino, type Logger } from "pino";
import type { LogLevel } from "@slipway/config";

/** JSON lines on stdout; secrets that might end up in a logged object are redacted. */
export function createLogger(options: { level: LogLevel }): Logger {
  return pino({
    level: options.level,
    base: { service: "worker", pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ["*.password", "*.token", "*.secret", "*.privateKey", "*.redisUrl", "*.databaseUrl"], censor: "[redacted]" },
  });
}
