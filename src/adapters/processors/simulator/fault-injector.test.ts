// Specification of the simulator's seeded faults: the same seed replays the same faults,
// no faults leaves the table exactly as documented, and every fault is an unknown
// outcome (pending), never a decline or a success.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeReply } from '../../../domain/processors/normalize.ts';
import { simulatorNormalizationTable } from '../../../domain/processors/simulator-codes.ts';
import { FaultInjector } from './fault-injector.ts';
import { seededRandom } from './seeded-random.ts';
import { SimulatorProcessor, type SimulatorFaults } from './simulator-processor.ts';

const signal = () => new AbortController().signal;

async function outcomes(simulator: SimulatorProcessor, count: number): Promise<string[]> {
  const codes: string[] = [];
  for (let index = 0; index < count; index++) {
    const reply = await simulator.authorize({
      idempotencyKey: `fault-${index}`, amountMinor: 100n, currency: 'NGN', card: { number: '4242424242424242', expMonth: 1, expYear: 2040 },
    }, signal());
    codes.push(normalizeReply(simulatorNormalizationTable, 'simulator', reply).code);
  }
  return codes;
}

const mixed: SimulatorFaults = { seed: 42, timeoutRate: 0.2, garbageRate: 0.2, duplicateRate: 0.2 };

describe('seeded random source', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 8 }, () => random());
    };
    assert.deepEqual(draw(7), draw(7));
    assert.notDeepEqual(draw(7), draw(8));
    assert.ok(draw(7).every((value) => value >= 0 && value < 1));
  });
});

describe('simulator faults', () => {
  it('gives the same sequence of outcomes for the same seed', async () => {
    const first = await outcomes(new SimulatorProcessor({ faults: mixed }), 60);
    const second = await outcomes(new SimulatorProcessor({ faults: mixed }), 60);
    assert.deepEqual(second, first);
    assert.notDeepEqual(await outcomes(new SimulatorProcessor({ faults: { ...mixed, seed: 43 } }), 60), first);
  });

  it('injects each kind of fault and nothing but pending outcomes besides the approval', async () => {
    const seen = new Set(await outcomes(new SimulatorProcessor({ faults: mixed }), 200));
    assert.deepEqual([...seen].sort(), ['approved', 'duplicate', 'timeout', 'unreadable_reply']);
  });

  it('behaves exactly as the table with a seed and no rates', async () => {
    const codes = await outcomes(new SimulatorProcessor({ faults: { seed: 1 } }), 30);
    assert.ok(codes.every((code) => code === 'approved'));
  });

  it('makes every garbage reply unreadable', async () => {
    const codes = await outcomes(new SimulatorProcessor({ faults: { seed: 9, garbageRate: 1 } }), 50);
    assert.ok(codes.every((code) => code === 'unreadable_reply'), codes.join(','));
  });

  it('keeps the transaction id in a duplicate notice so the transaction can be queried', async () => {
    const simulator = new SimulatorProcessor({ faults: { seed: 3, duplicateRate: 1 } });
    const reply = await simulator.authorize({
      idempotencyKey: 'dup', amountMinor: 100n, currency: 'NGN', card: { number: '4242424242424242', expMonth: 1, expYear: 2040 },
    }, signal());
    const outcome = normalizeReply(simulatorNormalizationTable, 'simulator', reply);
    assert.equal(outcome.kind, 'pending');
    assert.ok(outcome.processorReference !== undefined);
    const queried = normalizeReply(simulatorNormalizationTable, 'simulator', await new SimulatorProcessor().query({ amountMinor: 10_000n, currency: 'NGN', idempotencyKey: 'dup', processorReference: outcome.processorReference }, signal()));
    assert.equal(queried.kind, 'approved');
  });

  const invalid: { name: string; faults: SimulatorFaults }[] = [
    { name: 'a rate above 1', faults: { seed: 1, timeoutRate: 1.5 } },
    { name: 'a negative rate', faults: { seed: 1, garbageRate: -0.1 } },
    { name: 'rates adding up to more than 1', faults: { seed: 1, timeoutRate: 0.6, garbageRate: 0.6 } },
    { name: 'a seed that is not a 32-bit unsigned integer', faults: { seed: 1.5 } },
  ];
  for (const { name, faults } of invalid) {
    it(`refuses ${name}`, () => {
      assert.throws(() => new FaultInjector(faults));
    });
  }
});
