import type { GpuProbe } from '../workers/protocol.js';

/**
 * The rungs, best first:
 * 1. WebGPU + insertable streams + worker
 * 2. WebGL2 + insertable streams + worker
 * 3. WebGPU + canvas capture
 * 4. WASM CPU + 2D canvas + canvas capture
 * 5. unsupported
 */
export type Tier = 1 | 2 | 3 | 4 | 5;

export const TIERS: readonly Tier[] = [1, 2, 3, 4, 5];

export interface RefusedTier {
  readonly tier: Tier;
  readonly reason: string;
}

export interface LadderDecision {
  readonly tier: Tier;
  /** Why each better tier was not taken, best first. */
  readonly refused: readonly RefusedTier[];
}

export interface Capabilities {
  readonly insertableStreams: boolean;
  readonly webgpu: GpuProbe;
  /** The best rung the user allows (`max-tier`): 4 forces the CPU path, 1 allows all. */
  readonly maxTier: Tier;
}

/** Tiers whose pipeline this build does not contain yet; the ladder skips them truthfully. */
const NOT_BUILT: ReadonlySet<Tier> = new Set<Tier>([2, 3, 4]);

function refusal(tier: Tier, capabilities: Capabilities): string | null {
  if (tier < capabilities.maxTier) return `max-tier is ${capabilities.maxTier}`;
  if (NOT_BUILT.has(tier)) return 'this pipeline is not part of this build yet';
  switch (tier) {
    case 1:
      if (!capabilities.insertableStreams) return 'no MediaStreamTrackProcessor/MediaStreamTrackGenerator';
      if (!capabilities.webgpu.ok) return capabilities.webgpu.reason;
      return null;
    default:
      return null;
  }
}

/** Picks the best tier the browser and the user allow, and records why each better one was refused. */
export function chooseTier(capabilities: Capabilities): LadderDecision {
  const refused: RefusedTier[] = [];
  for (const tier of TIERS) {
    if (tier === 5) break;
    const reason = refusal(tier, capabilities);
    if (reason === null) return { tier, refused };
    refused.push({ tier, reason });
  }
  return { tier: 5, refused };
}
