// POST /payments/v1/authorizations/{token}/customer-token (CONTRACT §14): a customer token of §12
// made from a Klarna Payments authorization, written by the same writer a recurring checkout uses
// (newTokenWrites: the ACTIVE token and its openom.customer_token.created webhook), in one
// transaction with the authorization locked. The token's origin is the authorization token, so a
// repeated request finds the token it made and gets the same answer (idempotent per authorization).
import type { Compilable, Kysely } from 'kysely';
import { decideCustomerTokenFromAuthorization } from '../domain/authorizationCustomerToken.js';
import { invalidToken, type PaymentRefusal } from '../domain/payments.js';
import { toKlarnaTimestamp } from '../domain/time.js';
import { newTokenWrites } from './customerTokens.js';
import type { Store } from './dialect.js';
import { inJobsTransaction } from './jobs.js';
import { authorizationStateOf, lockAuthorization, paymentCartOf } from './payments.js';
import type { Database } from './schema.js';

/** What the merchant says of the token it asks for (Klarna's request; intended_use is always SUBSCRIPTION here). */
export interface CustomerTokenRequest {
  description: string;
  purchase_country: string;
  purchase_currency: string;
  locale: string;
}

export type CustomerTokenResult = { ok: true; value: { token_id: string; session_id: string; created: boolean } } | PaymentRefusal;

function tokenMadeBy(db: Kysely<Database>, merchantId: string, authorizationToken: string) {
  return db
    .selectFrom('customer_tokens')
    .select('token_id')
    .where('merchant_id', '=', merchantId)
    .where('origin_order_id', '=', authorizationToken)
    .executeTakeFirst();
}

export function createCustomerTokenFromAuthorization(store: Store, merchantId: string, tokenParam: string, req: CustomerTokenRequest): Promise<CustomerTokenResult> {
  return inJobsTransaction(store, async (db): Promise<CustomerTokenResult> => {
    const locked = await lockAuthorization(db, store, tokenParam, merchantId);
    if (!locked) return invalidToken();
    const { authorization, clock } = locked;
    const token = authorization.authorization_token;
    const made = await tokenMadeBy(db, merchantId, token);
    if (made) return { ok: true, value: { token_id: made.token_id, session_id: authorization.session_id, created: false } };
    const cart = paymentCartOf(authorization.cart);
    const d = decideCustomerTokenFromAuthorization(authorizationStateOf(authorization), cart.intent, clock.now);
    if (!d.ok) return d;
    const written = newTokenWrites(
      db,
      merchantId,
      token,
      {
        purchase_country: req.purchase_country,
        purchase_currency: req.purchase_currency,
        locale: req.locale,
        recurring_description: req.description,
        // The authorized shopper is the token's customer: whom later orders with the token are for.
        billing_address: cart.billing_address ?? { country: req.purchase_country },
        shipping_address: cart.shipping_address,
        customer: cart.customer,
      },
      clock,
    );
    const writes: Compilable<unknown>[] = [...written.writes];
    if (d.value.completesSession) {
      writes.push(db.updateTable('payment_sessions').set({ status: 'complete', last_modified_at: toKlarnaTimestamp(clock.now) }).where('session_id', '=', authorization.session_id));
    }
    for (const write of writes) await db.executeQuery(write.compile());
    return { ok: true, value: { token_id: written.tokenId, session_id: authorization.session_id, created: true } };
  });
}
