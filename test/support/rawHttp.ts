// Raw HTTP/1.1 over a TCP socket, for wire-level compatibility tests where fetch and node:http
// would tidy up what sloppy clients really send.
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

export interface RawResponse {
  status: number;
  /** Keyed by lower-case name. */
  headers: Record<string, string>;
  /** The header names exactly as they were on the wire, in order. */
  headerNames: string[];
  body: string;
}

/** A client connection that reads back every response the server writes, in order. */
export class RawConnection {
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  ended = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => {
      this.ended = true;
      this.wake();
    });
  }

  static async open(port: number): Promise<RawConnection> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawConnection(socket);
  }

  /** The same over TLS, trusting only `ca`: each write() goes out as its own TLS record(s). */
  static async openTls(port: number, ca: Buffer): Promise<RawConnection> {
    const socket = connectTls({ host: '127.0.0.1', port, ca });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    return new RawConnection(socket);
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Bytes received but not yet parsed as a response. */
  pending(): string {
    return this.buffer.toString('latin1');
  }

  /** The next complete response, or undefined if the connection ends first or timeoutMs passes. */
  async nextResponse(timeoutMs = 5000): Promise<RawResponse | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = this.tryParse();
      if (parsed) return parsed;
      if (this.ended || Date.now() > deadline) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves true once the server has closed the connection, false after timeoutMs. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.ended;
  }

  close(): void {
    this.socket.destroy();
  }

  private tryParse(): RawResponse | undefined {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const head = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '')?.[1]);
    const headers: Record<string, string> = {};
    const headerNames: string[] = [];
    for (const line of head.slice(1)) {
      const i = line.indexOf(':');
      headerNames.push(line.slice(0, i));
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    let rest = this.buffer.subarray(end + 4);
    let body: Buffer;
    if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      const chunks: Buffer[] = [];
      let offset = 0;
      for (;;) {
        const lineEnd = rest.indexOf('\r\n', offset);
        if (lineEnd < 0) return undefined;
        const size = parseInt(rest.subarray(offset, lineEnd).toString('latin1'), 16);
        if (rest.length < lineEnd + 2 + size + 2) return undefined;
        if (size === 0) {
          offset = lineEnd + 4;
          break;
        }
        chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
        offset = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(chunks);
      rest = rest.subarray(offset);
    } else {
      const length = status === 204 || status === 304 ? 0 : Number(headers['content-length'] ?? 0);
      if (rest.length < length) return undefined;
      body = rest.subarray(0, length);
      rest = rest.subarray(length);
    }
    this.buffer = rest;
    return { status, headers, headerNames, body: body.toString('utf8') };
  }
}

/** One request on its own connection, written exactly as given, and its response. */
export async function exchange(port: number, raw: string): Promise<RawResponse> {
  const conn = await RawConnection.open(port);
  try {
    conn.write(raw);
    const res = await conn.nextResponse();
    if (!res) throw new Error(`no response; received: ${conn.pending()}`);
    return res;
  } finally {
    conn.close();
  }
}

export const basicAuth = (c: { username: string; password: string }) => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

/** A request head (with trailing blank line), from a start line and headers, in that order. */
export function requestHead(startLine: string, headers: Record<string, string>): string {
  return `${startLine}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}
