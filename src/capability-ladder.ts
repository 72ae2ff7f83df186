import type { Backend } from '../contract/backend.js';
import type { WorkerCapabilities } from '../contract/protocol.js';

/**
 * The rungs, best first:
 * 1. WebGPU + insertable streams + worker
 * 2. WebGL2 + insertable streams + worker
 * 3. WebGPU + canvas capture
 * 4. the CPU renderer (typed-array loops) + canvas capture where the browser has it
 * 5. unsupported
 */
export type Tier = 1 | 2 | 3 | 4 | 5;

export const TIERS: readonly Tier[] = [1, 2, 3, 4, 5];

/** How frames travel: insertable streams (Chromium's main-thread form, or the W3C worker form), or canvas capture. */
export type TransportKind = 'streams' | 'track' | 'frames';

export interface RefusedTier {
  readonly tier: Tier;
  readonly reason: string;
}

export interface LadderDecision {
  readonly tier: Tier;
  /** Why each better tier was not taken, best first. */
  readonly refused: readonly RefusedTier[];
  /** The transport and backends (the chosen one, then those to step down to) for tiers 1–4. */
  readonly transport: TransportKind | null;
  readonly backends: readonly Backend[];
}

/** What the page offers, detected by feature (never by user agent). */
export interface PageCapabilities {
  /** Chromium's MediaStreamTrackProcessor and MediaStreamTrackGenerator on the main thread. */
  readonly mainThreadInsertableStreams: boolean;
  /** `<canvas>.captureStream` and VideoFrame (made from a `<video>`). */
  readonly canvasCapture: boolean;
  readonly webAssembly: boolean;
}

export interface Capabilities {
  readonly page: PageCapabilities;
  readonly worker: WorkerCapabilities;
  /** The best rung the user allows (`max-tier`): 4 forces the CPU path, 1 allows all. */
  readonly maxTier: Tier;
}

export function detectPageCapabilities(): PageCapabilities {
  const canvasPrototype = typeof HTMLCanvasElement === 'function' ? HTMLCanvasElement.prototype : null;
  return {
    mainThreadInsertableStreams: typeof MediaStreamTrackProcessor === 'function' && typeof MediaStreamTrackGenerator === 'function',
    canvasCapture: !!canvasPrototype && 'captureStream' in canvasPrototype && typeof VideoFrame === 'function',
    webAssembly: typeof WebAssembly === 'object',
  };
}

/** The tier a backend gives on a transport. */
export function tierOf(backend: Backend, transport: TransportKind): Tier {
  switch (backend) {
    case 'webgpu':
      return transport === 'frames' ? 3 : 1;
    case 'webgl2':
      return 2;
    case 'cpu':
      return 4;
  }
}

interface Rung {
  readonly transport: TransportKind | null;
  readonly backends: readonly Backend[];
  readonly refusal: string | null;
}

function insertableTransport(c: Capabilities): TransportKind | null {
  if (c.page.mainThreadInsertableStreams) return 'streams';
  if (c.worker.trackProcessorInWorker) return 'track';
  return null;
}

function rung(tier: Tier, c: Capabilities): Rung {
  const insertable = insertableTransport(c);
  if (tier !== 5 && !c.worker.webglForSegmenter) {
    return { transport: null, backends: [], refusal: 'no WebGL in a worker, which the segmenter (MediaPipe) needs even on the CPU' };
  }
  const { webgpu, webgl2 } = c.worker;
  const noInsertable = 'no insertable streams (MediaStreamTrackProcessor with MediaStreamTrackGenerator or VideoTrackGenerator)';
  const noCapture = 'no canvas capture with VideoFrame';
  const refuse = (refusal: string): Rung => ({ transport: null, backends: [], refusal });
  switch (tier) {
    case 1:
      if (!insertable) return refuse(noInsertable);
      if (!webgpu.ok) return refuse(webgpu.reason);
      return { transport: insertable, backends: ['webgpu', ...(webgl2.ok ? (['webgl2'] as const) : []), 'cpu'], refusal: null };
    case 2:
      if (!insertable) return refuse(noInsertable);
      if (!webgl2.ok) return refuse(webgl2.reason);
      return { transport: insertable, backends: ['webgl2', 'cpu'], refusal: null };
    case 3:
      if (!c.page.canvasCapture) return refuse(noCapture);
      if (!webgpu.ok) return refuse(webgpu.reason);
      return { transport: 'frames', backends: ['webgpu', 'cpu'], refusal: null };
    case 4: {
      if (!c.page.webAssembly) return refuse('no WebAssembly');
      // Insertable streams where there are any: no main-thread hop per frame. (In Chromium over SwiftShader, canvas capture
      // with the CPU renderer also left MediaPipe stuck making its WebGL context more often than not.)
      const transport = insertable ?? (c.page.canvasCapture ? 'frames' : null);
      if (!transport) return refuse(`${noInsertable}, and ${noCapture}`);
      return { transport, backends: ['cpu'], refusal: null };
    }
    case 5:
      return { transport: null, backends: [], refusal: null };
  }
}

/** Picks the best tier the browser and the user allow, and records why each better one was refused. */
export function chooseTier(capabilities: Capabilities): LadderDecision {
  const refused: RefusedTier[] = [];
  for (const tier of TIERS) {
    if (tier === 5) break;
    if (tier < capabilities.maxTier) {
      refused.push({ tier, reason: `max-tier is ${capabilities.maxTier}` });
      continue;
    }
    const { transport, backends, refusal } = rung(tier, capabilities);
    if (refusal === null && transport) return { tier, refused, transport, backends };
    refused.push({ tier, reason: refusal ?? 'unavailable' });
  }
  return { tier: 5, refused, transport: null, backends: [] };
}
