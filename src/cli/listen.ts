// `openom listen` (CONTRACT §15): the merchant's order events and the calls OpenOM makes to its
// server, printed as they happen (the server is asked twice a second for what is new), and, with
// --forward-to, a webhook endpoint at that URL for every event while it listens, as `stripe listen`.
import { WEBHOOK_EVENT_TYPES } from '../domain/webhookEvents.js';
import { authorization, send, serverUrl, type ApiRequest } from './api.js';
import type { Input } from './commandTypes.js';

const POLL_MS = 500;

interface EventJson {
  event_id: number;
  order_id: string;
  type: string;
  webhook_event: string | null;
  occurred_at: string;
}

interface CallJson {
  call_id: number;
  kind: string;
  order_id: string | null;
  method: string;
  url: string;
  response_status: number;
  error: string | null;
  duration_ms: number;
  called_at: string;
}

type Happening = { at: string; text: string; json: Record<string, unknown> };

const eventHappening = (e: EventJson): Happening => ({
  at: e.occurred_at,
  text: `${e.occurred_at} event ${e.type}${e.webhook_event ? ` (${e.webhook_event})` : ''} order ${e.order_id}`,
  json: { source: 'event', ...e },
});

const callHappening = (c: CallJson): Happening => ({
  at: c.called_at,
  text: `${c.called_at} call  ${c.kind} ${c.method} ${c.url} → ${c.response_status === 0 ? `no answer (${c.error ?? 'unknown'})` : c.response_status} ${c.duration_ms}ms${c.order_id ? ` order ${c.order_id}` : ''}`,
  json: { source: 'call', ...c },
});

export async function listen({ options, env }: Input): Promise<number> {
  const base = serverUrl(options.url, env);
  const auth = authorization('merchant', env);
  const api = <T>(req: ApiRequest) => send(base, auth, req) as Promise<T>;
  const asJson = options.json === 'true';

  let lastEvent = (await api<{ newest_event_id: number }>({ method: 'GET', path: '/sandbox/v1/events' })).newest_event_id;
  let lastCall = (await api<{ calls: CallJson[] }>({ method: 'GET', path: '/sandbox/v1/calls?limit=1' })).calls[0]?.call_id ?? 0;
  const forwardTo = options['forward-to'];
  const hook = forwardTo
    ? await api<{ webhook_id: string; signing_secret: string }>({ method: 'POST', path: '/sandbox/v1/webhooks', body: { url: forwardTo, events: WEBHOOK_EVENT_TYPES } })
    : undefined;
  if (hook) process.stderr.write(`Forwarding every event to ${forwardTo} (webhook ${hook.webhook_id}, signing secret ${hook.signing_secret})\n`);
  process.stderr.write(`Listening to ${base.origin} (Ctrl-C to stop)\n`);

  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const until = options.for === undefined ? Infinity : Date.now() + Number(options.for) * 1000;
  try {
    while (!stopped && Date.now() < until) {
      const events = (await api<{ events: EventJson[] }>({ method: 'GET', path: `/sandbox/v1/events?after=${lastEvent}` })).events;
      const calls = (await api<{ calls: CallJson[] }>({ method: 'GET', path: `/sandbox/v1/calls?after=${lastCall}` })).calls;
      lastEvent = events.at(-1)?.event_id ?? lastEvent;
      lastCall = calls.at(-1)?.call_id ?? lastCall;
      const happened = [...events.map(eventHappening), ...calls.map(callHappening)].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      for (const h of happened) process.stdout.write(`${asJson ? JSON.stringify(h.json) : h.text}\n`);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(POLL_MS, until - Date.now()))));
    }
  } finally {
    if (hook) await send(base, auth, { method: 'DELETE', path: `/sandbox/v1/webhooks/${hook.webhook_id}` }).catch(() => undefined);
  }
  return 0;
}
