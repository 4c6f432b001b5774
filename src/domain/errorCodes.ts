// The one catalogue of Klarna error codes OpenOM sends (CONTRACT §2), each with the HTTP status it
// goes with and what it means. Domain and store return a code and a message, never a status; the
// HTTP layer looks the status up here and renders the Klarna error body in one place.

export const ERROR_CODES = {
  BAD_VALUE: { status: 400, meaning: 'The request is invalid; the message names the field.' },
  UNAUTHORIZED: { status: 401, meaning: 'Missing or wrong credentials.' },
  NOT_ALLOWED: { status: 403, meaning: 'The order is not in a state that allows the operation.' },
  CAPTURE_NOT_ALLOWED: { status: 403, meaning: 'The capture is refused (cancelled, expired, pending fraud review, or more than remains).' },
  CANCEL_NOT_ALLOWED: { status: 403, meaning: 'The order cannot be cancelled (already cancelled, or captured).' },
  REFUND_NOT_ALLOWED: { status: 403, meaning: 'The refund is refused (nothing captured, or more than is refundable).' },
  READ_ONLY_ORDER: { status: 403, meaning: 'The checkout order can no longer be changed (completed, aborted or expired).' },
  NO_SUCH_ORDER: { status: 404, meaning: 'No order with this id for this merchant.' },
  NO_SUCH_CAPTURE: { status: 404, meaning: 'No capture with this id on the order.' },
  NO_SUCH_REFUND: { status: 404, meaning: 'No refund with this id on the order.' },
  NOT_FOUND: { status: 404, meaning: 'No such route or resource.' },
  TOO_MANY_REQUESTS: { status: 429, meaning: 'Too many failed logins, or a sandbox fault; retry after Retry-After.' },
  INTERNAL_SERVER_ERROR: { status: 500, meaning: 'A defect in OpenOM; nothing was changed.' },
  SERVICE_UNAVAILABLE: { status: 503, meaning: 'Not applied: the store is unavailable or the order is too busy; retry after Retry-After.' },
  // Never an API answer: the API sets no expected version. The portal's refusal of a confirmation
  // whose order changed after it was shown (CONTRACT §10).
  ORDER_CHANGED: { status: 409, meaning: 'Portal only: the order changed after the confirmation was shown; nothing was changed.', portalOnly: true },
  // Klarna Payments (CONTRACT §14, klarna profile): Klarna's code for a change to a session an order was made from.
  SESSION_COMPLETED: { status: 404, meaning: 'Klarna Payments: the payment session is completed (an order was created from it) and cannot change.' },
  // Customer tokens (CONTRACT §12).
  TOKEN_NOT_FOUND: { status: 404, meaning: 'No usable customer token with this id for this merchant (unknown or cancelled).' },
  TOKEN_SUSPENDED: { status: 403, meaning: 'The customer token is suspended: no order can be placed with it until it is active again.' },
  PAYMENT_METHOD_FAILED: { status: 403, meaning: "The token's payment method was declined (in the sandbox: a fault forces it)." },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes the APIs answer with (a sandbox fault can force any of them). */
export const API_ERROR_CODES = Object.entries(ERROR_CODES)
  .filter(([, entry]) => !('portalOnly' in entry))
  .map(([code]) => code as ErrorCode);

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}

export function statusOfErrorCode(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

/** A refusal as domain and store hand it up: a catalogued code and a message for people. */
export interface Problem {
  code: ErrorCode;
  message: string;
}

export const problems = {
  noSuchOrder: (orderId: string): Problem => ({ code: 'NO_SUCH_ORDER', message: `Order ${orderId} cannot be found.` }),
  noSuchCapture: (orderId: string, captureId: string): Problem => ({
    code: 'NO_SUCH_CAPTURE',
    message: `Capture ${captureId} cannot be found for order ${orderId}.`,
  }),
  noSuchRefund: (orderId: string, refundId: string): Problem => ({
    code: 'NO_SUCH_REFUND',
    message: `Refund ${refundId} cannot be found for order ${orderId}.`,
  }),
  notFound: (what: string): Problem => ({ code: 'NOT_FOUND', message: `${what} cannot be found.` }),
  badValue: (message: string): Problem => ({ code: 'BAD_VALUE', message }),
  unavailable: (message = 'The service is temporarily unavailable. Please retry.'): Problem => ({ code: 'SERVICE_UNAVAILABLE', message }),
  orderChanged: (orderId: string): Problem => ({ code: 'ORDER_CHANGED', message: `Order ${orderId} changed after it was shown. Nothing was changed.` }),
};
