// What a route declares about its own responses: its success and its refusals by the order's
// state. The error responses every route of its kind can get (400, 401, 404, 413, 415, 429, 500,
// 503) and the Klarna-Correlation-Id header are added to the document by src/http/openapi.ts.
import { Type, type TSchema } from '@sinclair/typebox';
import type { ErrorCode } from '../../domain/errorCodes.js';
import { ErrorBody } from './common.js';

/** A response without a body: a 204, a 202, or a 201 whose headers name what was created. */
export function noBody(description: string, headers?: Record<string, TSchema>) {
  return { type: 'null', description, ...(headers ? { headers } : {}) } as const;
}

/** 204 of a change that answers with no body. */
export const done = noBody('Done');

/** 201 of Order Management's capture and refund: no body; the headers name the new resource. */
export function createdNoBody(resource: 'capture' | 'refund') {
  const idHeader = resource === 'capture' ? 'Capture-Id' : 'Refund-Id';
  return noBody(`Created; the ${idHeader} and Location headers name the new ${resource}, which the order also lists`, {
    Location: Type.String({
      format: 'uri',
      description: `Absolute URL of the new ${resource}, as Klarna sends it: https://<host>/ordermanagement/v1/orders/{order_id}/${resource}s/{${resource}_id}`,
    }),
    [idHeader]: Type.String({ description: `The new ${resource}'s id` }),
  });
}

/** 403: the operation is refused (by default: by the order's state), and the code it answers with. */
export const refused = (code: ErrorCode, why = "the order's state does not allow this") => ({ ...ErrorBody, description: `${code}: ${why}` });
