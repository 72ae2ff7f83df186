import type { BackendName } from './backend.js';

/**
 * The rungs, best first:
 * 1. WebGPU + insertable streams + worker
 * 2. WebGL2 + insertable streams + worker
 * 3. WebGPU + canvas capture
 * 4. the CPU renderer (typed-array loops) + canvas capture where the browser has it
 * 5. unsupported
 * Each backend declares its rungs (LadderRung) in its descriptor; the ladder
 * (src/capability-ladder.ts) reads them from the worker's `probed` message.
 */
export type Tier = 1 | 2 | 3 | 4 | 5;

/** How frames can travel: insertable streams (Chromium's main-thread form or the W3C worker form), or canvas capture. */
export type TransportClass = 'insertable' | 'capture';

/** A tier that a backend gives, and on which transports. */
export interface LadderRung {
  readonly tier: Exclude<Tier, 5>;
  /** The transports it runs on here, preferred first. */
  readonly transports: readonly TransportClass[];
  /** Refused without WebAssembly in the page (the CPU rung checks it for the whole pipeline). */
  readonly needsWebAssembly?: boolean;
}

/** What the worker found about one registered backend: what the ladder needs to place it. */
export interface ProbedBackend {
  readonly name: BackendName;
  /** Whether it can start here (the GPU API answered, in the worker). */
  readonly available: boolean;
  /** Why it cannot, for `tierchange`'s reason; empty when available. */
  readonly reason: string;
  /** Its GPU is a software one (SwiftShader, llvmpipe, a WebGPU fallback adapter): it renders on the CPU. */
  readonly software: boolean;
  readonly rungs: readonly LadderRung[];
}
