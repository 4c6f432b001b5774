// The Settlements API v1 (CONTRACT §11) under /settlements/v1: payouts, their summary,
// transactions and the CSV reports, for the authenticated merchant. Read only: it shows what the
// captures and refunds wrote and the payout job formed.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problems } from '../domain/errorCodes.js';
import { parseDateParameter } from '../domain/settlements.js';
import { DAY_MS } from '../domain/time.js';
import { ApiError, badValue } from '../http/errors.js';
import { absoluteUrl } from '../http/origin.js';
import type { RoutesOptions } from '../http/routes/options.js';
import { findPayout, listPayouts, listTransactions, payoutsInRange, transactionsOfPayouts, type DateRange, type Page, type TransactionFilter } from '../store/settlementReads.js';
import { payoutJson, summaryJson, transactionJson, transactionsCsv } from './render.js';
import {
  PaymentReferenceParams,
  Payout,
  PayoutCollection,
  PayoutListQuery,
  PayoutReportQuery,
  PayoutSummary,
  SummaryQuery,
  SummaryReportQuery,
  TransactionCollection,
  TransactionListQuery,
} from './schemas.js';

const TAGS = ['Settlements'];
const DEFAULT_SIZE = 20;
const MAX_SIZE = 500;

const payoutNotFound = (reference: string) => ApiError.of(problems.notFound(`Payout ${reference.slice(0, 100)}`));

function pageOf(query: { size?: string; offset?: string }): Page {
  const size = query.size === undefined ? DEFAULT_SIZE : Number(query.size);
  if (size > MAX_SIZE) throw badValue(`Bad value: size (must be from 1 to ${MAX_SIZE})`);
  return { size, offset: query.offset === undefined ? 0 : Number(query.offset) };
}

function dateOf(name: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const at = parseDateParameter(text);
  if (!at) throw badValue(`Bad value: ${name} (must be a date, YYYY-MM-DD, or an ISO 8601 date-time)`);
  return at;
}

/** The range the dates give; with wholeEndDay, an end_date without a time takes in all of that day. */
function rangeOf(query: { start_date?: string; end_date?: string }, wholeEndDay = false): DateRange {
  const end = dateOf('end_date', query.end_date);
  const range = { start: dateOf('start_date', query.start_date), end: end && wholeEndDay && query.end_date?.length === 10 ? new Date(end.getTime() + DAY_MS - 1) : end };
  if (range.start && range.end && range.start > range.end) throw badValue('Bad value: end_date (must not be before start_date)');
  return range;
}

/** count/total/offset, and next/prev as absolute URLs of this request with another offset. */
function pagination(request: FastifyRequest, page: Page, count: number, total: number) {
  const at = (offset: number) => {
    const url = new URL(request.url, 'http://x');
    url.searchParams.set('offset', String(offset));
    url.searchParams.set('size', String(page.size));
    return absoluteUrl(request, `${url.pathname}${url.search}`);
  };
  return {
    count,
    total,
    offset: page.offset,
    ...(page.offset + count < total ? { next: at(page.offset + page.size) } : {}),
    ...(page.offset > 0 ? { prev: at(Math.max(0, page.offset - page.size)) } : {}),
  };
}

function sendCsv(reply: FastifyReply, filename: string, csv: string) {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send(csv);
}

/** Payouts, one payout, and their summary. */
const payoutRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store }) => {
  app.get(
    '/payouts',
    {
      schema: {
        tags: TAGS,
        operationId: 'listSettlementPayouts',
        summary: 'Payouts, newest payout_date first, page by page',
        querystring: PayoutListQuery,
        response: { 200: { ...PayoutCollection, description: 'One page of payouts' } },
      },
    },
    async (request) => {
      const page = pageOf(request.query);
      const { payouts, total } = await listPayouts(store, request.merchantId, { ...rangeOf(request.query), currency: request.query.currency_code }, page);
      return { payouts: payouts.map(payoutJson), pagination: pagination(request, page, payouts.length, total) };
    },
  );

  app.get(
    '/payouts/summary',
    {
      schema: {
        tags: TAGS,
        operationId: 'summarizeSettlementPayouts',
        summary: "The payouts of a date range summed per currency",
        querystring: SummaryQuery,
        response: { 200: { ...Type.Array(PayoutSummary), description: 'One entry per currency' } },
      },
    },
    async (request) => summaryJson(await payoutsInRange(store, request.merchantId, { ...rangeOf(request.query), currency: request.query.currency_code })),
  );

  app.get(
    '/payouts/:payment_reference',
    {
      schema: {
        tags: TAGS,
        operationId: 'getSettlementPayout',
        summary: 'One payout by its payment reference',
        params: PaymentReferenceParams,
        response: { 200: { ...Payout, description: 'The payout' } },
      },
    },
    async (request) => {
      const payout = await findPayout(store, request.merchantId, request.params.payment_reference);
      if (!payout) throw payoutNotFound(request.params.payment_reference);
      return payoutJson(payout);
    },
  );
};

/** Transactions as JSON pages and as the CSV reports. */
const transactionRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store, config }) => {
  app.get(
    '/transactions',
    {
      schema: {
        tags: TAGS,
        operationId: 'listSettlementTransactions',
        summary: "Transactions of a payout, of an order, or all, in the order they were made",
        querystring: TransactionListQuery,
        response: { 200: { ...TransactionCollection, description: 'One page of transactions' } },
      },
    },
    async (request) => {
      const { payment_reference, order_id } = request.query;
      if (payment_reference !== undefined && order_id !== undefined) throw badValue('Bad value: order_id (give payment_reference or order_id, not both)');
      const range = rangeOf(request.query, true);
      if ((range.start || range.end) && (payment_reference !== undefined || order_id !== undefined)) {
        throw badValue('Bad value: start_date (dates select transactions when neither payment_reference nor order_id is given)');
      }
      const filter: TransactionFilter = payment_reference !== undefined ? { payment_reference } : order_id !== undefined ? { order_id } : { range };
      const page = pageOf(request.query);
      const { transactions, total } = await listTransactions(store, request.merchantId, filter, page);
      return { transactions: transactions.map((t) => transactionJson(t, config.profile)), pagination: pagination(request, page, transactions.length, total) };
    },
  );

  app.get(
    '/reports/payout-with-transactions',
    {
      schema: {
        tags: TAGS,
        operationId: 'getSettlementPayoutReport',
        summary: "A payout's transactions as CSV: a header row, one row per transaction",
        querystring: PayoutReportQuery,
        produces: ['text/csv'],
        response: { 200: { type: 'string', description: 'CSV (text/csv)' } },
      },
    },
    async (request, reply) => {
      const reference = request.query.payment_reference;
      const payout = await findPayout(store, request.merchantId, reference);
      if (!payout) throw payoutNotFound(reference);
      const rows = await transactionsOfPayouts(store, request.merchantId, [payout.payment_reference]);
      return sendCsv(reply, `payout-${payout.payment_reference}.csv`, transactionsCsv(rows.map((t) => transactionJson(t, config.profile)), config.profile));
    },
  );

  app.get(
    '/reports/payouts-summary-with-transactions',
    {
      schema: {
        tags: TAGS,
        operationId: 'getSettlementSummaryReport',
        summary: 'The transactions of every payout in a date range as CSV',
        querystring: SummaryReportQuery,
        produces: ['text/csv'],
        response: { 200: { type: 'string', description: 'CSV (text/csv)' } },
      },
    },
    async (request, reply) => {
      const payouts = await payoutsInRange(store, request.merchantId, rangeOf(request.query));
      const rows = await transactionsOfPayouts(store, request.merchantId, payouts.map((p) => p.payment_reference));
      return sendCsv(reply, 'payouts-summary.csv', transactionsCsv(rows.map((t) => transactionJson(t, config.profile)), config.profile));
    },
  );
};

export const settlementRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, options) => {
  await app.register(payoutRoutes, options);
  await app.register(transactionRoutes, options);
};
