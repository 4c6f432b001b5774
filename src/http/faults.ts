// Applies a merchant's sandbox faults to its requests (CONTRACT §5). app.ts registers this hook in
// sandbox mode on the merchant APIs that can be faulted, after authentication and before any
// handler: a faulted request changes nothing and leaves its idempotency key unused.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isErrorCode } from '../domain/errorCodes.js';
import { defaultFaultErrorCode, faultMessage, faultRetryAfterSeconds } from '../domain/faults.js';
import type { Store } from '../store/dialect.js';
import { takeFault } from '../store/faults.js';
import { ApiError, sendFaultError } from './errors.js';

export function faultInjector(store: Store) {
  return async function injectFaults(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const path = request.url.split('?')[0] ?? request.url;
    const fault = await takeFault(store, request.merchantId, request.method, path);
    if (!fault) return undefined;
    request.log.info({ fault_id: fault.fault_id, status: fault.status, delay_ms: fault.delay_ms }, 'sandbox fault applied');
    if (fault.delay_ms > 0) await sleep(fault.delay_ms);
    // Status 0: only slower, the real answer follows.
    if (fault.status === 0) return undefined;
    const code = fault.error_code !== null && isErrorCode(fault.error_code) ? fault.error_code : defaultFaultErrorCode(fault.status, path);
    const retryAfter = faultRetryAfterSeconds(code);
    const error = new ApiError(code, [faultMessage(fault.fault_id, code)], retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) });
    return sendFaultError(request, reply, error, fault.status);
  };
}
