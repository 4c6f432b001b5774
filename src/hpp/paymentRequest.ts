// What a shopper's choice on the Hosted Payment Page carries, and what paying it needs: shared by
// the checkout-order path (payment.ts) and the Klarna Payments path (paymentSessionPayment.ts).
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Store } from '../store/dialect.js';

export const SHOPPER_CHOICES = ['accepted', 'pending_accepted', 'pending_rejected', 'denied', 'cancel', 'back'] as const;
export type ShopperChoice = (typeof SHOPPER_CHOICES)[number];

export interface PaymentDeps {
  store: Store;
  config: Config;
  log: FastifyBaseLogger;
}

export interface PaymentRequest {
  sessionId: string;
  choice: ShopperChoice;
  email?: string;
  correlationId: string;
}
