// Every `openom` command (CONTRACT §9), as data: help, argument parsing and the request are all
// derived from this table. An API command is one HTTP call; a local command runs in this process.
import { serverUrl } from './api.js';
import type { ApiCommand, Command, OptionSpec } from './commandTypes.js';
import { DEVLOOP_COMMANDS } from './devloop.js';
import { readJsonInput } from './input.js';

const IDEMPOTENCY_KEY: OptionSpec = {
  value: 'KEY',
  help: 'sent as Klarna-Idempotency-Key: a retry with the same key replays the first answer instead of acting again',
};
const orderPath = (rest = '') => `/ordermanagement/v1/orders/{ORDER_ID}${rest}`;

/** capture and refund: an amount (captured_amount, refunded_amount), a description, a reference. */
function amountCommand(name: 'capture' | 'refund', summary: string, example: string): ApiCommand {
  const field = `${name === 'capture' ? 'captured' : 'refunded'}_amount`;
  const header = `${name[0]!.toUpperCase()}${name.slice(1)}-Id`;
  return {
    name,
    access: 'merchant',
    summary,
    method: 'POST',
    path: orderPath(`/${name}s`),
    args: ['ORDER_ID'],
    options: {
      amount: { value: 'N', help: `${field} in minor units (6000 = 60.00)`, required: true, integer: true },
      description: { value: 'TEXT', help: 'description (at most 255 characters)' },
      reference: { value: 'TEXT', help: 'your own reference (at most 255 characters)' },
      'idempotency-key': IDEMPOTENCY_KEY,
    },
    body: ({ options }) => ({ [field]: Number(options.amount), description: options.description, reference: options.reference }),
    output: `{"${name}_id", "location"} from the ${header} and Location headers`,
    example,
  };
}

export const COMMANDS: readonly Command[] = [
  {
    name: 'start',
    access: 'local',
    summary: 'Start the server, as npm start does (configuration from the environment, see README)',
    env: ['HOST', 'PORT', 'DATABASE_URL', 'OPENOM_ADMIN_TOKEN', 'OPENOM_SANDBOX_USERNAME', 'OPENOM_SANDBOX_PASSWORD', 'LOG_LEVEL'],
    output: 'the server log; runs until SIGTERM or Ctrl-C and exits with the server',
    example: 'OPENOM_ADMIN_TOKEN=local-admin-token-123 openom start',
    run: async () => (await import('./start.js')).startServer(),
  },
  {
    name: 'merchants create',
    access: 'admin',
    summary: 'Create a merchant; its password is shown only in this answer',
    method: 'POST',
    path: '/admin/v1/merchants',
    options: { name: { value: 'NAME', help: "the merchant's name", required: true } },
    body: ({ options }) => ({ name: options.name }),
    output: 'the merchant: merchant_id, name, username, password, created_at',
    example: 'openom merchants create --name "Shop AB"',
  },
  {
    name: 'merchants list',
    access: 'admin',
    summary: 'List the merchants',
    method: 'GET',
    path: '/admin/v1/merchants',
    output: '{"merchants": [{merchant_id, name, username, created_at}]}',
    example: 'openom merchants list',
  },
  {
    name: 'merchants rotate-credentials',
    access: 'admin',
    summary: "Give a merchant a new password, shown only in this answer: the old one stops working at once and the merchant's portal sessions end",
    method: 'POST',
    path: '/admin/v1/merchants/{merchant}/credentials',
    options: { merchant: { value: 'ID', help: 'merchant_id of the merchant', required: true } },
    output: '{"merchant_id", "username", "password"}',
    example: 'openom merchants rotate-credentials --merchant "$MERCHANT_ID"',
  },
  {
    name: 'orders create',
    access: 'admin',
    summary: 'Put in an order as a checkout would have authorized it (the admin intake)',
    method: 'POST',
    path: '/admin/v1/merchants/{merchant}/orders',
    options: {
      merchant: { value: 'ID', help: 'merchant_id of the merchant the order is for', required: true },
      file: { value: 'FILE', help: 'the order as JSON (see examples/); - reads standard input', required: true },
    },
    body: ({ options }) => readJsonInput(options.file!),
    output: 'the order, as `openom orders get` shows it',
    example: 'openom orders create --merchant "$MERCHANT_ID" --file examples/order-se.json',
  },
  {
    name: 'orders get',
    access: 'merchant',
    summary: 'Show an order with its amounts, captures and refunds',
    method: 'GET',
    path: orderPath(),
    args: ['ORDER_ID'],
    output: 'the order',
    example: 'openom orders get "$ORDER_ID"',
  },
  amountCommand('capture', 'Capture part or all of what remains authorized (as the goods ship)', 'openom capture "$ORDER_ID" --amount 6000 --description "Tomatoes shipped"'),
  amountCommand('refund', 'Refund part or all of what was captured', 'openom refund "$ORDER_ID" --amount 1200 --description "2 kg returned"'),
  {
    name: 'cancel',
    access: 'merchant',
    summary: 'Cancel an order nothing has been captured of',
    method: 'POST',
    path: orderPath('/cancel'),
    args: ['ORDER_ID'],
    options: { 'idempotency-key': IDEMPOTENCY_KEY },
    output: '{} (the server answers 204)',
    example: 'openom cancel "$ORDER_ID"',
  },
  {
    name: 'release',
    access: 'merchant',
    summary: 'Release the part of the authorization that will not be captured',
    method: 'POST',
    path: orderPath('/release-remaining-authorization'),
    args: ['ORDER_ID'],
    options: { 'idempotency-key': IDEMPOTENCY_KEY },
    output: '{} (the server answers 204)',
    example: 'openom release "$ORDER_ID"',
  },
  {
    name: 'clock',
    access: 'merchant',
    summary: "Show the merchant's sandbox clock",
    method: 'GET',
    path: '/sandbox/v1/clock',
    output: '{"now", "offset_seconds"}',
    example: 'openom clock',
  },
  {
    name: 'clock advance',
    access: 'merchant',
    summary: "Move the merchant's sandbox clock forward; work that falls due (expiry, pushes, retries) runs",
    method: 'POST',
    path: '/sandbox/v1/clock/advance',
    options: { seconds: { value: 'N', help: 'how far forward, 1 to 31536000 (86400 = one day)', required: true, integer: true } },
    body: ({ options }) => ({ seconds: Number(options.seconds) }),
    output: '{"now", "offset_seconds"}',
    example: 'openom clock advance --seconds 2419200',
  },
  {
    name: 'ledger check',
    access: 'local',
    summary: 'Verify every ledger invariant of every order in the store (npm run ledger:check)',
    env: ['DATABASE_URL'],
    output: 'the report: store, counts and violations; exit 1 when there are violations, 2 when the store cannot be read',
    example: 'DATABASE_URL=postgres://postgres@127.0.0.1:5432/openom openom ledger check',
    run: async ({ env }) => (await import('./ledger-check.js')).checkLedgerCommand(env),
  },
  // Klarna Payments (CONTRACT §14; a server with OPENOM_PROFILE=klarna).
  {
    name: 'payments create-session',
    access: 'merchant',
    summary: 'Klarna Payments: create a payment session from a cart',
    method: 'POST',
    path: '/payments/v1/sessions',
    options: { file: { value: 'FILE', help: 'the cart as JSON (see examples/payments/); - reads standard input', required: true } },
    body: ({ options }) => readJsonInput(options.file!),
    output: '{"session_id", "client_token", "payment_method_categories"}',
    example: 'openom payments create-session --file examples/payments/session-se.json',
  },
  {
    name: 'payments session',
    access: 'merchant',
    summary: 'Klarna Payments: show a payment session (status, expires_at, authorization_token)',
    method: 'GET',
    path: '/payments/v1/sessions/{SESSION_ID}',
    args: ['SESSION_ID'],
    output: 'the payment session',
    example: 'openom payments session "$SESSION_ID"',
  },
  {
    name: 'payments authorize',
    access: 'merchant',
    summary: 'Klarna Payments (sandbox): authorize a session as the shopper would, without a browser',
    method: 'POST',
    path: '/sandbox/v1/payments/sessions/{SESSION_ID}/authorize',
    args: ['SESSION_ID'],
    options: { outcome: { value: 'OUTCOME', help: 'accepted, pending (fraud review) or declined', required: true } },
    body: ({ options }) => ({ outcome: options.outcome }),
    output: '{"approved", "authorization_token"?}',
    example: 'openom payments authorize "$SESSION_ID" --outcome accepted',
  },
  {
    name: 'payments order',
    access: 'merchant',
    summary: 'Klarna Payments: create the Order Management order from an authorization token (the cart again)',
    method: 'POST',
    path: '/payments/v1/authorizations/{TOKEN}/order',
    args: ['TOKEN'],
    options: {
      file: { value: 'FILE', help: 'the cart as JSON, as authorized (auto_capture may be added); - reads standard input', required: true },
    },
    body: ({ options }) => readJsonInput(options.file!),
    output: '{"order_id", "redirect_url", "fraud_status", "authorized_payment_method"}',
    example: 'openom payments order "$TOKEN" --file examples/payments/session-se.json',
  },
  {
    name: 'payments cancel',
    access: 'merchant',
    summary: 'Klarna Payments: cancel an authorization that has made no order',
    method: 'DELETE',
    path: '/payments/v1/authorizations/{TOKEN}',
    args: ['TOKEN'],
    output: '{} (the server answers 204)',
    example: 'openom payments cancel "$TOKEN"',
  },
  ...hppCommands(),
  {
    name: 'tokens get',
    access: 'merchant',
    summary: 'Show a customer token (the recurring_token of a recurring checkout): its status and payment method',
    method: 'GET',
    path: '/customer-token/v1/tokens/{TOKEN}',
    args: ['TOKEN'],
    output: '{"status", "payment_method_type"}',
    example: 'openom tokens get "$TOKEN"',
  },
  {
    name: 'tokens order',
    access: 'merchant',
    summary: 'Place an order paid with a customer token (a subscription renewal); "auto_capture": true in the file captures it at once',
    method: 'POST',
    path: '/customer-token/v1/tokens/{TOKEN}/order',
    args: ['TOKEN'],
    options: {
      file: { value: 'FILE', help: 'the order as JSON (see examples/subscriptions/renewal-se.json); - reads standard input', required: true },
      'idempotency-key': IDEMPOTENCY_KEY,
    },
    body: ({ options }) => readJsonInput(options.file!),
    output: '{"order_id", "fraud_status"}',
    example: 'openom tokens order "$TOKEN" --file examples/subscriptions/renewal-se.json --idempotency-key renewal-2027-01',
  },
  {
    name: 'tokens cancel',
    access: 'merchant',
    summary: 'Cancel a customer token; final: orders with it are refused TOKEN_NOT_FOUND',
    method: 'PATCH',
    path: '/customer-token/v1/tokens/{TOKEN}/status',
    args: ['TOKEN'],
    options: { 'idempotency-key': IDEMPOTENCY_KEY },
    body: () => ({ status: 'CANCELLED' }),
    output: '{} (the server answers 202)',
    example: 'openom tokens cancel "$TOKEN"',
  },
  {
    name: 'payouts list',
    access: 'merchant',
    summary: "List the merchant's payouts, newest first (Settlements API, the first 20)",
    method: 'GET',
    path: '/settlements/v1/payouts',
    output: '{"payouts": [{"payment_reference", "payout_date", "currency_code", "totals"…}], "pagination"}',
    example: 'openom payouts list',
  },
  {
    name: 'payouts get',
    access: 'merchant',
    summary: 'Show one payout and its totals',
    method: 'GET',
    path: '/settlements/v1/payouts/{PAYMENT_REFERENCE}',
    args: ['PAYMENT_REFERENCE'],
    output: '{"payment_reference", "payout_date", "currency_code", "totals": {"sale_amount", "fee_amount", "return_amount", "settlement_amount"…}}',
    example: 'openom payouts get OPNM7C2F9A41D0B3',
  },
  {
    name: 'payouts csv',
    access: 'merchant',
    summary: "Print a payout's settlement report as CSV: a header row, one row per transaction",
    method: 'GET',
    path: '/settlements/v1/reports/payout-with-transactions?payment_reference={PAYMENT_REFERENCE}',
    args: ['PAYMENT_REFERENCE'],
    output: 'the CSV text',
    example: 'openom payouts csv OPNM7C2F9A41D0B3 > payout.csv',
  },
  ...DEVLOOP_COMMANDS,
];

/** Pay by link (CONTRACT §13): a Hosted Payment Page session over a checkout order, its status, disabling it. */
function hppCommands(): ApiCommand[] {
  const url = (help: string): OptionSpec => ({ value: 'URL', help: `${help}; {{session_id}} and {{order_id}} are filled in` });
  const sessionPath = '/hpp/v1/sessions/{SESSION_ID}';
  return [
    {
      name: 'hpp create',
      access: 'merchant',
      summary: 'Create a pay-by-link session (Hosted Payment Page) for a checkout order',
      method: 'POST',
      path: '/hpp/v1/sessions',
      args: ['CHECKOUT_ORDER_ID'],
      options: {
        success: url('where the shopper goes after paying'),
        cancel: url('where the shopper goes after cancelling'),
        failure: url('where the shopper goes when the payment is refused'),
        'status-update': url('receives every status change'),
        'place-order-mode': { value: 'MODE', help: 'PLACE_ORDER (default) or CAPTURE_ORDER (also captures in full)' },
      },
      body: ({ args, options, env }) => ({
        payment_session_url: `${serverUrl(options.url, env).href.replace(/\/$/, '')}/checkout/v3/orders/${args.CHECKOUT_ORDER_ID}`,
        merchant_urls: { success: options.success, cancel: options.cancel, failure: options.failure, status_update: options['status-update'] },
        options: options['place-order-mode'] === undefined ? undefined : { place_order_mode: options['place-order-mode'] },
      }),
      output: '{"session_id", "session_url", "redirect_url", "distribution_url", "qr_code_url", "expires_at"}: send the shopper to redirect_url',
      example: 'openom hpp create "$CHECKOUT_ORDER_ID" --success "https://shop.example/paid?order={{order_id}}"',
    },
    {
      name: 'hpp get',
      access: 'merchant',
      summary: "Show a pay-by-link session's status (WAITING, IN_PROGRESS, COMPLETED…)",
      method: 'GET',
      path: sessionPath,
      args: ['SESSION_ID'],
      output: '{"session_id", "status", "updated_at", "expires_at", "order_id"?, "klarna_reference"?}',
      example: 'openom hpp get "$SESSION_ID"',
    },
    {
      name: 'hpp disable',
      access: 'merchant',
      summary: 'Disable a pay-by-link session: its link stops working (refused once it is completed)',
      method: 'DELETE',
      path: sessionPath,
      args: ['SESSION_ID'],
      output: '{} (the server answers 204)',
      example: 'openom hpp disable "$SESSION_ID"',
    },
  ];
}

/** The command the first words of argv name (two-word names first), and how many words it took. */
export function findCommand(argv: readonly string[]): { command: Command; words: number } | undefined {
  for (const words of [2, 1]) {
    if (argv.length < words) continue;
    const command = COMMANDS.find((c) => c.name === argv.slice(0, words).join(' '));
    if (command) return { command, words };
  }
  return undefined;
}

/** Commands under a group word (`merchants`, `orders`, `clock`, `ledger`). */
export const commandsUnder = (group: string) => COMMANDS.filter((c) => c.name.startsWith(`${group} `));
