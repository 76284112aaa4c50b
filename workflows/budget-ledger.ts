import { budgetWaitMs, recentCalls } from '../time-windows/index.js';
import { withDefaults, type CollectorPhase, type CollectorSettings, type RunState } from './state.js';

/** Which progress slot a window's pages are tracked in, and which share of the budget it may use. */
export type Lane = 'live' | 'backfill';

/** What the ledger needs of the collector that owns it. */
export interface LedgerOwner {
  readonly state: RunState;
  readonly settings: CollectorSettings;
  waitFor(ms: number, phase: CollectorPhase): Promise<void>;
}

/**
 * The tenant's Microsoft API budget as a ledger over the state's recent call times: calls are booked
 * before they are made (waiting while none fits) and refunded when a pull made fewer than it booked.
 */
export class BudgetLedger {
  constructor(private readonly owner: LedgerOwner) {}

  /**
   * Waits until one more Microsoft call fits the tenant's budget and books it, then books up to `wanted`
   * in all as long as more fit without waiting. Returns how many were booked.
   */
  async book(lane: Lane, wanted = 1): Promise<number> {
    const { state } = this.owner;
    const { budget } = withDefaults(this.owner.settings);
    for (;;) {
      const wait = budgetWaitMs(state.recentCalls, Date.now(), budget, lane);
      if (wait === 0) break;
      await this.owner.waitFor(wait, 'waiting');
    }
    let booked = 0;
    do {
      state.recentCalls = [...recentCalls(state.recentCalls, Date.now(), budget), Date.now()];
      booked++;
    } while (booked < wanted && budgetWaitMs(state.recentCalls, Date.now(), budget, lane) === 0);
    state.totals.apiCalls += booked;
    return booked;
  }

  /** Gives back booked calls that were not made. */
  refund(unused: number): void {
    if (unused <= 0) return;
    const { state } = this.owner;
    state.recentCalls = state.recentCalls.slice(0, -unused);
    state.totals.apiCalls -= unused;
  }
}
