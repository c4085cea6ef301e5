// The runtime's logger: pino, JSON lines on stderr (stdout stays for what a person
// reads, such as the demo's "where to look"). One child per device, named by it.
import pino, { type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function createLogger(opts: { name?: string; level?: LevelWithSilent } = {}): Logger {
  const level = opts.level ?? (process.env.MANYI_LOG_LEVEL as LevelWithSilent | undefined) ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`unknown log level ${level}: one of ${LOG_LEVELS.join(', ')}`);
  return pino({ name: opts.name ?? 'manyi', level }, pino.destination({ dest: 2, sync: true }));
}
