import type { BackendName } from '../contract/backend.js';
import type { LadderRung, ProbedBackend, Tier, TransportClass } from '../contract/ladder.js';
import type { SegmenterPlan, SegmenterPreference } from '../contract/options.js';
import type { WorkerCapabilities } from '../contract/protocol.js';

/** The rungs are listed where they are declared, in contract/ladder.ts; each backend names its own. */
export type { Tier };

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
  readonly backends: readonly BackendName[];
  /** Which runtime segments on tiers 1–4 (the worker completes `by-accelerator`); null on tier 5. */
  readonly segmenter: SegmenterPlan | null;
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
  /** What the worker probed, with every registered backend's rungs. */
  readonly worker: WorkerCapabilities;
  /** The best rung the user allows (`max-tier`): 4 forces the CPU path, 1 allows all. */
  readonly maxTier: Tier;
  /** The segmenter the page asked for (`segmenter`). */
  readonly segmenter: SegmenterPreference;
}

export function detectPageCapabilities(): PageCapabilities {
  const canvasPrototype = typeof HTMLCanvasElement === 'function' ? HTMLCanvasElement.prototype : null;
  return {
    mainThreadInsertableStreams: typeof MediaStreamTrackProcessor === 'function' && typeof MediaStreamTrackGenerator === 'function',
    canvasCapture: !!canvasPrototype && 'captureStream' in canvasPrototype && typeof VideoFrame === 'function',
    webAssembly: typeof WebAssembly === 'object',
  };
}

function transportClass(transport: TransportKind): TransportClass {
  return transport === 'frames' ? 'capture' : 'insertable';
}

/**
 * The tier a backend gives on a transport: its rung for that transport, else
 * its best rung (a step-down is announced as its own tier), else 5.
 */
export function tierOf(backends: readonly ProbedBackend[], backend: BackendName, transport: TransportKind): Tier {
  const rungs = backends.find((b) => b.name === backend)?.rungs ?? [];
  return (rungs.find((r) => r.transports.includes(transportClass(transport))) ?? rungs[0])?.tier ?? 5;
}

const NO_INSERTABLE = 'no insertable streams (MediaStreamTrackProcessor with MediaStreamTrackGenerator or VideoTrackGenerator)';
const NO_CAPTURE = 'no canvas capture with VideoFrame';

/** The page's transport of a class, or why there is none. */
function transportFor(kind: TransportClass, c: Capabilities): TransportKind | string {
  if (kind === 'capture') return c.page.canvasCapture ? 'frames' : NO_CAPTURE;
  if (c.page.mainThreadInsertableStreams) return 'streams';
  if (c.worker.trackProcessorInWorker) return 'track';
  return NO_INSERTABLE;
}

function isTransport(value: TransportKind | string): value is TransportKind {
  return value === 'streams' || value === 'track' || value === 'frames';
}

type RungOutcome = { readonly transport: TransportKind; readonly refusal: null } | { readonly transport: null; readonly refusal: string };

/** Whether `backend` can take `rung` here: WebAssembly where the rung needs it, then its first transport the page has, then its probe. */
function tryRung(backend: ProbedBackend, rung: LadderRung, c: Capabilities): RungOutcome {
  if (rung.needsWebAssembly && !c.page.webAssembly) return { transport: null, refusal: 'no WebAssembly' };
  const found = rung.transports.map((kind) => transportFor(kind, c));
  // The rung lists its transports preferred first (see the CPU backend's).
  const transport = found.find(isTransport);
  if (!transport) return { transport: null, refusal: found.join(', and ') };
  if (!backend.available) return { transport: null, refusal: backend.reason };
  return { transport, refusal: null };
}

/** The backends to step down to from `chosen`: those after it in the registry that are available and run on the same transport. */
function stepDowns(chosen: ProbedBackend, transport: TransportKind, backends: readonly ProbedBackend[]): BackendName[] {
  const kind = transportClass(transport);
  return backends
    .slice(backends.indexOf(chosen) + 1)
    .filter((b) => b.available && b.rungs.some((r) => r.transports.includes(kind)))
    .map((b) => b.name);
}

type SegmenterOutcome = { readonly plan: SegmenterPlan; readonly refusal: null } | { readonly plan: null; readonly refusal: string };

const NO_WEBGL_FOR_MEDIAPIPE = 'no WebGL in a worker, which the segmenter (MediaPipe, as segmenter="mediapipe" asks) needs even on the CPU';

/**
 * The segmenter for every tier, or why none can run. MediaPipe needs WebGL in
 * the worker even on its CPU delegate; LiteRT.js on WebAssembly needs no GPU
 * API. Where both can run, `auto` leaves the choice to the worker, which knows
 * the backend's accelerator: MediaPipe's GPU delegate on a hardware GPU, and
 * LiteRT on the CPU, where it was measured faster (`npm run bench`, tier 1
 * here: 29.9 fps against 25.6, 0.046 CPU s/frame against 0.056).
 */
export function chooseSegmenter(preference: SegmenterPreference, worker: WorkerCapabilities, page: PageCapabilities): SegmenterOutcome {
  if (!page.webAssembly) return { plan: null, refusal: 'no WebAssembly, which the segmenters (MediaPipe, LiteRT.js) need' };
  if (preference === 'mediapipe') return worker.webglForSegmenter ? { plan: 'mediapipe', refusal: null } : { plan: null, refusal: NO_WEBGL_FOR_MEDIAPIPE };
  return { plan: preference === 'auto' && worker.webglForSegmenter ? 'by-accelerator' : 'litert', refusal: null };
}

/** Picks the best tier the browser and the user allow, and records why each better one was refused. */
export function chooseTier(capabilities: Capabilities): LadderDecision {
  const refused: RefusedTier[] = [];
  const { backends } = capabilities.worker;
  const segmenter = chooseSegmenter(capabilities.segmenter, capabilities.worker, capabilities.page);
  for (const tier of TIERS) {
    if (tier === 5) break;
    if (tier < capabilities.maxTier) {
      refused.push({ tier, reason: `max-tier is ${capabilities.maxTier}` });
      continue;
    }
    if (segmenter.refusal !== null) {
      refused.push({ tier, reason: segmenter.refusal });
      continue;
    }
    // Every backend with a rung at this tier, in the registry's order; the first that can take it does.
    let refusal: string | null = null;
    for (const backend of backends) {
      for (const rung of backend.rungs.filter((r) => r.tier === tier)) {
        const outcome = tryRung(backend, rung, capabilities);
        if (outcome.transport) return { tier, refused, transport: outcome.transport, backends: [backend.name, ...stepDowns(backend, outcome.transport, backends)], segmenter: segmenter.plan };
        refusal ??= outcome.refusal;
      }
    }
    refused.push({ tier, reason: refusal ?? 'unavailable' });
  }
  return { tier: 5, refused, transport: null, backends: [], segmenter: null };
}
