// LOG_FORMAT=pretty (CONTRACT §15): pino's JSON lines turned into lines people read: the time, the
// level by name, and for a request its method, path, status and milliseconds. JSON stays the
// default (machines read it); `openom logs` applies the same to a saved log or a pipe.

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Fields a line shows in its own words; every other field follows as key=value. */
const SHOWN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'method', 'route', 'status', 'duration_ms', 'kind', 'attempt', 'url', 'job_id', 'next']);

type Line = Record<string, unknown>;

function timeOf(value: unknown): string {
  const date = typeof value === 'number' || typeof value === 'string' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date.toISOString().replace('T', ' ').replace('Z', '') : '-';
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The request's path: the route with the order id put back in. */
function pathOf(line: Line): string {
  const route = text(line.route ?? '');
  return typeof line.order_id === 'string' ? route.replace(':order_id', line.order_id) : route;
}

function headline(line: Line): string {
  if (line.msg === 'request') return `${text(line.method)} ${pathOf(line)} ${text(line.status)} ${text(line.duration_ms)}ms`;
  if (line.msg === 'job attempt') {
    const to = line.url === undefined ? '' : ` ${text(line.url)}`;
    return `job ${text(line.kind)} #${text(line.attempt)}${to} ${text(line.status)} ${text(line.duration_ms)}ms → ${text(line.next)}`;
  }
  return text(line.msg ?? '');
}

/** One JSON log line as a readable one; a line that is not JSON is left as it is. */
export function prettyLine(json: string): string {
  let line: Line;
  try {
    line = JSON.parse(json) as Line;
  } catch {
    return json;
  }
  if (typeof line !== 'object' || line === null) return json;
  const level = (LEVELS[Number(line.level)] ?? text(line.level)).padEnd(5);
  const rest = Object.entries(line)
    .filter(([key, value]) => !SHOWN.has(key) && value !== undefined && value !== null)
    .map(([key, value]) => `${key}=${text(value)}`);
  return [timeOf(line.time), level, headline(line), ...rest].join(' ');
}

/** A pino destination that writes each line made readable. */
export function prettyDestination(out: { write(text: string): unknown }) {
  return {
    write(chunk: string) {
      for (const json of chunk.split('\n')) if (json.trim() !== '') out.write(`${prettyLine(json)}\n`);
    },
  };
}
