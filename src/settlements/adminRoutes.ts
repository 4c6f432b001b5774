// A merchant's settlement terms, set by operators (CONTRACT §11):
// PATCH /admin/v1/merchants/{merchant_id} {"settlement": {fee_rate_bp, fee_fixed, payout_delay_days}}.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { problems } from '../domain/errorCodes.js';
import { ApiError } from '../http/errors.js';
import type { RoutesOptions } from '../http/routes/options.js';
import { MerchantIdParams } from '../http/schemas/common.js';
import { merchantExists } from '../store/merchants.js';
import { isUuid } from '../store/orders.js';
import { setSettlementTerms } from '../store/settlementReads.js';
import { MerchantSettlementPatch, SettlementTerms } from './schemas.js';

export const settlementTermsRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store }) => {
  app.patch(
    '/merchants/:merchant_id',
    {
      schema: {
        tags: ['Admin'],
        operationId: 'updateMerchantSettlementTerms',
        summary: "Set a merchant's settlement terms (fees on captures from now on; the delay for payouts not yet formed)",
        params: MerchantIdParams,
        body: MerchantSettlementPatch,
        response: { 200: { ...Type.Object({ merchant_id: Type.String(), settlement: SettlementTerms }), description: 'The terms now in force' } },
      },
    },
    async (request) => {
      const { merchant_id } = request.params;
      if (!isUuid(merchant_id) || !(await merchantExists(store, merchant_id))) throw ApiError.of(problems.notFound(`Merchant ${merchant_id}`));
      return { merchant_id, settlement: await setSettlementTerms(store, merchant_id, request.body.settlement) };
    },
  );
};
