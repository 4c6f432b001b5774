// Refusal precedence as tables (STYLE: "a table of (state, request) → code rows per operation,
// tested in that order"; TigerBeetle's state_machine_tests: "test errors by descending precedence").
// A chain starts from a case that breaks several rules of one decision and lifts one breach per
// row: each row names the refusal that must come first while the breaches of the rows below it are
// still there, and the chain ends where the decision accepts.
import assert from 'node:assert/strict';
import type { Decision } from '../../src/domain/decision.js';

/** The refusal expected while the case is as it is (its code and a part of its message), and how the next row lifts that breach. */
export type Row<C> = [code: string, says: string, lift: (c: C) => C];

/** Runs one chain: every row's refusal in turn, then acceptance. */
export function assertPrecedence<C>(decide: (c: C) => Decision<unknown>, start: C, rows: readonly Row<C>[]): void {
  let c = start;
  rows.forEach(([code, says, lift], i) => {
    const d = decide(c);
    const got = d.ok ? 'accepted' : `${d.code}: ${d.message}`;
    assert.ok(!d.ok && d.code === code && d.message.includes(says), `row ${i + 1}: expected ${code} (…${says}…), got ${got}`);
    c = lift(c);
  });
  const last = decide(c);
  assert.ok(last.ok, `after the last row: expected acceptance, got ${last.ok ? '' : `${last.code}: ${last.message}`}`);
}
