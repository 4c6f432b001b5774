// `openom snapshot save FILE`: the merchant's snapshot written as the server sent it, so that a
// saved file loads back to the same bytes (CONTRACT §15).
import { writeFile } from 'node:fs/promises';
import { authorization, sendForAnswer, serverUrl } from './api.js';
import type { Input } from './commandTypes.js';
import { CliFailure, EXIT_FAILED } from './output.js';

export async function saveSnapshot({ args, options, env }: Input): Promise<number> {
  const answer = await sendForAnswer(serverUrl(options.url, env), authorization('merchant', env), { method: 'GET', path: '/sandbox/v1/snapshot' });
  const file = args.FILE!;
  if (file === '-') {
    process.stdout.write(`${answer.text}\n`);
    return 0;
  }
  try {
    await writeFile(file, answer.text);
  } catch (err) {
    throw new CliFailure(EXIT_FAILED, `cannot write ${file}: ${(err as Error).message}`);
  }
  return 0;
}
