// /sandbox/v1/clock: the merchant's own clock (CONTRACT §5). Every time rule of the merchant's
// orders reads it; advancing it makes due work (expiry, pushes, retries) run.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { toKlarnaTimestamp } from '../../../domain/time.js';
import { MAX_ADVANCE_SECONDS, advanceClock, readClock, type ClockReading } from '../../../store/clock.js';
import { component } from '../../schemas/components.js';
import type { RoutesOptions } from '../options.js';

const tags = ['Sandbox'];

const ClockResponse = component(
  'Clock',
  Type.Object({
    now: Type.String({ format: 'date-time', description: "The merchant's time: real time plus offset_seconds" }),
    offset_seconds: Type.Integer({ minimum: 0 }),
  }),
);
const ClockAdvance = component(
  'ClockAdvance',
  Type.Object({ seconds: Type.Integer({ minimum: 1, maximum: MAX_ADVANCE_SECONDS }) }, { additionalProperties: false }),
);

const render = (c: ClockReading) => ({ now: toKlarnaTimestamp(c.now), offset_seconds: c.offset_seconds });

export const clockRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store }) => {
  app.get(
    '/clock',
    { schema: { tags, operationId: 'getClock', summary: "Read the merchant's sandbox clock", response: { 200: { ...ClockResponse, description: "The merchant's clock" } } } },
    async (request) => render(await readClock(store, request.merchantId)),
  );

  app.post(
    '/clock/advance',
    {
      schema: {
        tags,
        operationId: 'advanceClock',
        summary: "Move the merchant's sandbox clock forward; work that falls due runs within 2 seconds",
        body: ClockAdvance,
        response: { 200: { ...ClockResponse, description: 'The clock after the move' } },
      },
    },
    async (request) => render(await advanceClock(store, request.merchantId, request.body.seconds)),
  );
};
