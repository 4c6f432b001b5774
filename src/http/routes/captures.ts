// /ordermanagement/v1/orders/{order_id}/captures: charge what shipped, and follow up on each capture.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { dueDateExtensionOptions } from '../../domain/decisions.js';
import { addCaptureShippingInfo, createCapture, extendCaptureDueDate, triggerSendOut } from '../../store/orderCommands.js';
import { readCaptureForDueDate, readCaptureJson, readCapturesJson } from '../../store/orderDocuments.js';
import { problems } from '../../domain/errorCodes.js';
import { ApiError } from '../errors.js';
import { replyWithCommand, sendJson } from '../commandReply.js';
import { CaptureParams, IdempotencyHeaders, OrderIdParams } from '../schemas/common.js';
import { CaptureBody, CaptureResponse, DueDateOptionsResponse, ExtendDueDateBody, ShippingInfoBody } from '../schemas/orders.js';
import { createdNoBody, done, refused } from '../schemas/responses.js';
import type { RoutesOptions } from './options.js';

const tags = ['Captures'];

const noSuchOrder = (orderId: string) => ApiError.of(problems.noSuchOrder(orderId));
const noSuchCapture = (orderId: string, captureId: string) => ApiError.of(problems.noSuchCapture(orderId, captureId));

export const captureRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store, config }) => {
  app.post(
    '/:order_id/captures',
    {
      schema: {
        tags,
        operationId: 'createCapture',
        summary: 'Capture an order',
        params: OrderIdParams,
        headers: IdempotencyHeaders,
        body: CaptureBody,
        response: { 201: createdNoBody('capture'), 403: refused('CAPTURE_NOT_ALLOWED') },
      },
    },
    (request, reply) => replyWithCommand(store, request, reply, createCapture(request.body)),
  );

  app.get(
    '/:order_id/captures',
    {
      schema: {
        tags,
        operationId: 'listCaptures',
        summary: 'List all order captures',
        params: OrderIdParams,
        response: { 200: Type.Array(CaptureResponse, { description: "The order's captures, oldest first" }) },
      },
    },
    async (request, reply) => {
      const captures = await readCapturesJson(store, request.merchantId, request.params.order_id);
      if (!captures) throw noSuchOrder(request.params.order_id);
      return sendJson(reply, `[${captures.join(',')}]`);
    },
  );

  app.get(
    '/:order_id/captures/:capture_id',
    { schema: { tags, operationId: 'getCapture', summary: 'Get capture details', params: CaptureParams, response: { 200: { ...CaptureResponse, description: 'The capture' } } } },
    async (request, reply) => {
      const { order_id, capture_id } = request.params;
      const found = await readCaptureJson(store, request.merchantId, order_id, capture_id);
      if (!found) throw noSuchOrder(order_id);
      if (found.found === 'order') throw noSuchCapture(order_id, capture_id);
      return sendJson(reply, found.json);
    },
  );

  app.post(
    '/:order_id/captures/:capture_id/shipping-info',
    {
      schema: {
        tags,
        operationId: 'addCaptureShippingInfo',
        summary: 'Add shipping info to a capture',
        params: CaptureParams,
        headers: IdempotencyHeaders,
        body: ShippingInfoBody,
        response: { 204: done },
      },
    },
    (request, reply) => replyWithCommand(store, request, reply, addCaptureShippingInfo(request.params.capture_id, request.body)),
  );

  // Kustom removed due-date extension and send-out; under its profile they are unknown routes (CONTRACT §8).
  if (config.profile === 'kustom') return;

  const extendDueDate = { tags, params: CaptureParams, headers: IdempotencyHeaders, body: ExtendDueDateBody, response: { 204: done, 403: refused('NOT_ALLOWED') } };
  // Klarna documents PATCH; older Klarna docs and SDKs used POST. Both are accepted.
  const methods = [
    { method: 'PATCH', operationId: 'extendCaptureDueDate', summary: 'Extend the payment due date of a capture' },
    { method: 'POST', operationId: 'extendCaptureDueDateWithPost', summary: 'Extend the payment due date of a capture (POST, as older Klarna SDKs send it)', deprecated: true },
  ] as const;
  for (const { method, ...documented } of methods) {
    app.route({
      method,
      url: '/:order_id/captures/:capture_id/extend-due-date',
      schema: { ...extendDueDate, ...documented },
      handler: (request, reply) =>
        replyWithCommand(store, request, reply, extendCaptureDueDate(request.params.capture_id, request.body.number_of_days)),
    });
  }

  app.get(
    '/:order_id/captures/:capture_id/extend-due-date-options',
    {
      schema: {
        tags,
        operationId: 'getCaptureDueDateOptions',
        summary: 'Options for extending the due date of a capture',
        params: CaptureParams,
        response: { 200: { ...DueDateOptionsResponse, description: 'The extensions the capture can get, with their fees' } },
      },
    },
    async (request) => {
      const { order_id, capture_id } = request.params;
      const found = await readCaptureForDueDate(store, request.merchantId, order_id, capture_id);
      if (!found) throw noSuchOrder(order_id);
      if (found.found === 'order') throw noSuchCapture(order_id, capture_id);
      return { currency: found.currency, options: dueDateExtensionOptions(found.capture) };
    },
  );

  app.post(
    '/:order_id/captures/:capture_id/trigger-send-out',
    {
      schema: {
        tags,
        operationId: 'triggerCaptureSendOut',
        summary: 'Trigger a new send-out of customer communication',
        params: CaptureParams,
        headers: IdempotencyHeaders,
        response: { 204: done },
      },
    },
    (request, reply) => replyWithCommand(store, request, reply, triggerSendOut(request.params.capture_id)),
  );
};
