// The NIP simulator with switches a fault test can flip: transfers that hang until the
// caller gives up (an inter-bank timeout, never reaching the switch) and status queries
// that get no answer (a switch that is down), at once or once the caller gives up.
import { NipSimulator } from '../../src/adapters/interbank/nip-simulator/nip-simulator.ts';
import type { ProcessorReply } from '../../src/app/ports/card-processor.ts';
import type { InterbankQueryRequest, InterbankTransferRequest } from '../../src/app/ports/interbank.ts';

function hang(signal: AbortSignal): Promise<ProcessorReply> {
  return new Promise((resolve) => {
    signal.addEventListener('abort', () => { resolve({ kind: 'no_answer', reason: 'timeout' }); }, { once: true });
  });
}

export class ControlledSwitch extends NipSimulator {
  hangTransfers = false;
  silentQueries = false;
  /** Status queries that hang until the caller's timeout, as another process's switch that never answers. */
  hangQueries = false;

  override async transfer(request: InterbankTransferRequest, signal: AbortSignal): Promise<ProcessorReply> {
    return this.hangTransfers ? hang(signal) : super.transfer(request, signal);
  }

  override async query(request: InterbankQueryRequest, signal: AbortSignal): Promise<ProcessorReply> {
    if (this.hangQueries) return hang(signal);
    return this.silentQueries ? { kind: 'no_answer', reason: 'network' } : super.query(request, signal);
  }

  transferCalls(key: string): number {
    return this.calls.filter((call) => call.kind === 'transfer' && call.idempotencyKey === key).length;
  }
}
