// `openom logs`: the server's JSON log made readable, line by line, as LOG_FORMAT=pretty writes it.
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Input } from './commandTypes.js';
import { prettyLine } from '../logFormat.js';
import { usageError } from './output.js';

const print = (line: string) => {
  if (line.trim() !== '') process.stdout.write(`${prettyLine(line)}\n`);
};

export async function printLogs({ options }: Input): Promise<number> {
  if (options.file !== undefined) {
    let text: string;
    try {
      text = await readFile(options.file, 'utf8');
    } catch (err) {
      throw usageError(`cannot read ${options.file}: ${(err as Error).message}`);
    }
    text.split('\n').forEach(print);
    return 0;
  }
  // A pipe from a running server: each line as it arrives.
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) print(line);
  return 0;
}
