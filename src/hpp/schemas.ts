// Request and response schemas of the Hosted Payment Page API v1 (CONTRACT §13), Klarna's field
// names. Merchant URLs are checked by the domain (src/domain/hpp.ts) so the message names the field.
import { Type, type Static } from '@sinclair/typebox';
import { MAX_MERCHANT_URL_LENGTH } from '../domain/checkout.js';
import { DISTRIBUTION_METHODS, HPP_STATUSES, PLACE_ORDER_MODES } from '../domain/hpp.js';
import { Obj, Text, Uuid } from '../http/schemas/common.js';
import { component } from '../http/schemas/components.js';

const Opt = Type.Optional;
const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 UTC, merchant clock' });
const Url = (description: string) => Type.String({ format: 'uri', description });
const MerchantUrl = (description: string) =>
  Type.String({ maxLength: MAX_MERCHANT_URL_LENGTH, description: `${description} http or https; {{session_id}}, {{order_id}} and {{authorization_token}} are filled in.` });
const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const HppMerchantUrlsSchema = component('HppMerchantUrls', Obj({
  success: Opt(MerchantUrl('Where the shopper goes after paying.')),
  cancel: Opt(MerchantUrl('Where the shopper goes after cancelling.')),
  back: Opt(MerchantUrl('Where the shopper goes with "Back to the shop".')),
  failure: Opt(MerchantUrl('Where the shopper goes when the payment is refused.')),
  error: Opt(MerchantUrl('Where the shopper goes when the payment cannot be made (the order can no longer be paid).')),
  status_update: Opt(MerchantUrl('Receives {"event_id", "session"} on every status change, retried as webhooks are.')),
}));

const HppOptions = component('HppOptions', Obj({
  place_order_mode: Opt(literals(PLACE_ORDER_MODES)),
  page_title: Opt(Text(100, { description: 'Shown as the title of the payment page' })),
  purchase_type: Opt(literals(['BUY', 'RENT', 'BOOK', 'SUBSCRIBE', 'DOWNLOAD', 'ORDER', 'CONTINUE'])),
  show_subtotal_detail: Opt(literals(['HIDE'])),
}));

export const HppSessionRequest = component('HppSessionRequest', Obj({
  payment_session_url: Type.String({
    minLength: 1,
    maxLength: 2000,
    description: 'The checkout order (<base>/checkout/v3/orders/{order_id}) or payment session (<base>/payments/v1/sessions/{session_id}) to pay',
  }),
  merchant_urls: Opt(HppMerchantUrlsSchema),
  options: Opt(HppOptions),
}));
export type HppSessionRequest = Static<typeof HppSessionRequest>;

export const HppSessionCreated = component('HppSessionCreated', Obj({
  session_id: Type.String({ format: 'uuid' }),
  session_url: Url('This session in the API: GET it for the status, DELETE it to disable it'),
  redirect_url: Url('The payment page: send the shopper here, or let OpenOM "send" the link (distribution_url)'),
  distribution_url: Url('POST {"method", "contact_information"} here to record the link in the outbox'),
  qr_code_url: Url('An SVG QR code of redirect_url'),
  expires_at: Timestamp,
}));

export const HppSession = component('HppSession', Obj({
  session_id: Type.String({ format: 'uuid' }),
  status: literals(HPP_STATUSES),
  updated_at: Timestamp,
  expires_at: Timestamp,
  order_id: Opt(Type.String({ description: 'The order the payment made (once COMPLETED)' })),
  authorization_token: Opt(Type.String({ description: 'Payment sessions with place_order_mode NONE' })),
  klarna_reference: Opt(Type.String()),
}));

export const HppSessionParams = Type.Object({ session_id: Uuid('HPP session id') });

export const DistributionRequest = component('HppDistributionRequest', Obj({
  method: literals(DISTRIBUTION_METHODS),
  contact_information: Obj({
    email: Opt(Text(100, { minLength: 3 })),
    phone: Opt(Text(30, { pattern: '^\\+?[0-9 ()-]{4,30}$' })),
    phone_country: Opt(Type.String({ pattern: '^[A-Za-z]{2}$' })),
  }),
  template: Opt(literals(['INSTORE_PURCHASE'])),
}));
export type DistributionRequest = Static<typeof DistributionRequest>;

export const HppMessage = component('HppMessage', Obj({
  distribution_id: Type.String({ format: 'uuid' }),
  session_id: Type.String({ format: 'uuid' }),
  method: literals(DISTRIBUTION_METHODS),
  contact_information: Type.Record(Type.String(), Type.String()),
  link: Url('The payment page the message carries'),
  message: Type.String({ description: 'The text that would have been sent' }),
  created_at: Timestamp,
}));

export const HppMessageList = component('HppMessageList', Obj({ messages: Type.Array(HppMessage) }));

export const HppMessagesQuery = Type.Object({
  session_id: Opt(Uuid('Only this session\'s messages')),
  limit: Opt(Type.String({ pattern: '^(100|[1-9][0-9]?)$', description: '1 to 100, default 20' })),
});
