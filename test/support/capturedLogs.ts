// A pino logger that keeps its JSON lines in memory, for tests of what the app logs.
import pino from 'pino';

export interface CapturedLogs {
  logger: pino.Logger;
  lines: { level: number; msg?: string; err?: { stack?: string } }[];
  /** Lines at error level (50) or above. */
  errors(): CapturedLogs['lines'];
}

export function captureLogs(level = 'info'): CapturedLogs {
  const lines: CapturedLogs['lines'] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as CapturedLogs['lines'][number]) });
  return { logger, lines, errors: () => lines.filter((l) => l.level >= 50) };
}
