import type { StageTimings } from '../contract/stats.js';

const WINDOW = 120;

/** Keeps the last few samples per stage and reports their p50 and p95. */
export class StageTimer {
  private readonly samples = new Map<string, number[]>();

  record(stage: string, ms: number | undefined): void {
    if (ms === undefined) return;
    let list = this.samples.get(stage);
    if (!list) this.samples.set(stage, (list = []));
    list.push(ms);
    if (list.length > WINDOW) list.shift();
  }

  summary(): Record<string, StageTimings> {
    const result: Record<string, StageTimings> = {};
    for (const [stage, list] of this.samples) {
      const sorted = [...list].sort((a, b) => a - b);
      const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
      result[stage] = { p50: round(at(0.5)), p95: round(at(0.95)) };
    }
    return result;
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
