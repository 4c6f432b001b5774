// OpenOM-Signature (CONTRACT §7): `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed
// with the endpoint's signing secret string. The timestamp is real time (not the merchant's clock),
// so a receiver can refuse replays by comparing it with its own clock.
import { createHmac } from 'node:crypto';

export function signatureHeader(signingSecret: string, body: string, realNowMs = Date.now()): string {
  const t = Math.floor(realNowMs / 1000);
  const v1 = createHmac('sha256', signingSecret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}
