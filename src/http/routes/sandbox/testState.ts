// /sandbox/v1/reset and /sandbox/v1/snapshot: a merchant's test state as a whole (CONTRACT §15).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { exportSnapshot, importSnapshot, resetMerchant, SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from '../../../store/testState.js';
import { ApiError } from '../../errors.js';
import { component } from '../../schemas/components.js';
import { noBody } from '../../schemas/responses.js';
import type { RoutesOptions } from '../options.js';

const tags = ['Sandbox'];

const Snapshot = component(
  'Snapshot',
  Type.Object(
    {
      format: Type.Literal(SNAPSHOT_FORMAT),
      version: Type.Literal(SNAPSHOT_VERSION),
      clock_offset_seconds: Type.Integer({ minimum: 0, description: "How far the merchant's clock runs ahead of real time" }),
      tables: Type.Record(Type.String(), Type.Array(Type.Record(Type.String(), Type.Unknown())), {
        description: 'Rows of every table of merchant data, keyed by table, in primary-key order; counted ids are positions 1, 2, …',
      }),
    },
    { description: "A merchant's whole sandbox state (versioned)" },
  ),
);

/** A snapshot of 10 000 orders is some tens of MB: more than an API request may otherwise carry. */
const SNAPSHOT_BODY_LIMIT = 256 * 1024 * 1024;

export const testStateRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store, config }) => {
  app.post(
    '/reset',
    {
      schema: {
        tags,
        operationId: 'resetSandbox',
        summary: "Delete every order, checkout, job, fault, webhook and recorded call of the merchant and set its clock back to real time",
        response: { 204: noBody('Reset; other merchants are untouched') },
      },
    },
    async (request, reply) => {
      await resetMerchant(store, request.merchantId);
      return reply.code(204).send();
    },
  );

  app.get(
    '/snapshot',
    { schema: { tags, operationId: 'exportSnapshot', summary: "The merchant's whole state as one JSON document", response: { 200: { ...Snapshot, description: 'The snapshot' } } } },
    async (request, reply) => {
      const text = (await exportSnapshot(store, request.merchantId)) ?? '';
      // Sent as exported: the bytes are the snapshot, not a value to serialize again.
      return reply.type('application/json; charset=utf-8').send(text as never);
    },
  );

  app.put(
    '/snapshot',
    {
      bodyLimit: Math.max(config.bodyLimitBytes, SNAPSHOT_BODY_LIMIT),
      schema: {
        tags,
        operationId: 'importSnapshot',
        summary: "Replace the merchant's whole state with a snapshot's (all of it or nothing)",
        body: Snapshot,
        response: { 204: noBody('Imported') },
      },
    },
    async (request, reply) => {
      const outcome = await importSnapshot(store, request.merchantId, request.body);
      if (outcome && !outcome.ok) throw ApiError.of(outcome.problem);
      return reply.code(204).send();
    },
  );
};
