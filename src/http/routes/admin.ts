// /admin/v1: merchants and order intake (what a checkout would have authorized). Bearer token only.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { checkOrderIntake } from '../../domain/intake.js';
import { toKlarnaTimestamp } from '../../domain/time.js';
import { insertMerchant, listMerchants, merchantExists, newMerchantUsername, replaceMerchantCredentials } from '../../store/merchants.js';
import { readOrderJson } from '../../store/orderDocuments.js';
import { createOrder } from '../../store/orders.js';
import { sendJson } from '../commandReply.js';
import { problems } from '../../domain/errorCodes.js';
import { ApiError } from '../errors.js';
import { hashPassword, randomSecret } from '../../secrets.js';
import { MerchantIdParams, Obj } from '../schemas/common.js';
import { component } from '../schemas/components.js';
import { OrderIntakeBody, OrderResponse } from '../schemas/orders.js';
import type { RoutesOptions } from './options.js';

const tags = ['Admin'];

const merchantFields = {
  merchant_id: Type.String(),
  name: Type.String(),
  username: Type.String({ description: 'The API username (HTTP Basic)' }),
  created_at: Type.String({ format: 'date-time' }),
};
const Merchant = component('Merchant', Type.Object(merchantFields));
const NewMerchant = component(
  'NewMerchant',
  Type.Object({ ...merchantFields, password: Type.String({ description: 'The API password: shown only in this response' }) }),
);
const MerchantCredentials = component(
  'MerchantCredentials',
  Type.Object({
    merchant_id: Type.String(),
    username: merchantFields.username,
    password: Type.String({ description: 'The new API password: shown only in this response; the old one no longer works' }),
  }),
);
const MerchantList = component('MerchantList', Type.Object({ merchants: Type.Array(Merchant) }));
const MerchantCreate = component('MerchantCreate', Obj({ name: Type.String({ minLength: 1, maxLength: 255 }) }));

export const adminRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store }) => {
  app.post(
    '/merchants',
    {
      schema: {
        tags,
        operationId: 'createMerchant',
        summary: 'Create a merchant (the password is shown only in this response)',
        body: MerchantCreate,
        response: { 201: { ...NewMerchant, description: 'The merchant, with its API credentials' } },
      },
    },
    async (request, reply) => {
      const password = randomSecret(24);
      const merchant = {
        merchant_id: randomUUID(),
        name: request.body.name,
        username: newMerchantUsername(),
        created_at: toKlarnaTimestamp(new Date()),
      };
      await insertMerchant(store, { ...merchant, password_hash: await hashPassword(password) });
      return reply.code(201).send({ ...merchant, password });
    },
  );

  app.get(
    '/merchants',
    { schema: { tags, operationId: 'listMerchants', summary: 'List merchants', response: { 200: { ...MerchantList, description: 'Every merchant, without passwords' } } } },
    async () => ({ merchants: await listMerchants(store) }),
  );

  app.post(
    '/merchants/:merchant_id/credentials',
    {
      schema: {
        tags,
        operationId: 'rotateMerchantCredentials',
        summary: "Give a merchant a new password (shown only in this response): the old one is refused at once and the merchant's portal sessions end",
        params: MerchantIdParams,
        response: { 200: { ...MerchantCredentials, description: 'The merchant with its new API password' } },
      },
    },
    async (request) => {
      const { merchant_id } = request.params;
      const password = randomSecret(24);
      const username = await replaceMerchantCredentials(store, merchant_id, { passwordHash: await hashPassword(password) });
      if (username === undefined) throw ApiError.of(problems.notFound(`Merchant ${merchant_id}`));
      request.log.info({ merchant_id }, 'merchant credentials rotated');
      return { merchant_id, username, password };
    },
  );

  app.post(
    '/merchants/:merchant_id/orders',
    {
      schema: {
        tags,
        operationId: 'createAuthorizedOrder',
        summary: 'Put an authorized order in for a merchant (what a checkout would have authorized)',
        params: MerchantIdParams,
        body: OrderIntakeBody,
        response: { 201: { ...OrderResponse, description: 'The order, exactly as GET /ordermanagement/v1/orders/{order_id} then returns it' } },
      },
    },
    async (request, reply) => {
      const { merchant_id } = request.params;
      if (!(await merchantExists(store, merchant_id))) throw ApiError.of(problems.notFound(`Merchant ${merchant_id}`));
      const refusal = checkOrderIntake(request.body);
      if (refusal) throw ApiError.of(refusal);
      const { orderId } = await createOrder(store, merchant_id, request.body, request.id);
      return sendJson(reply, (await readOrderJson(store, merchant_id, orderId))!, 201);
    },
  );
};
