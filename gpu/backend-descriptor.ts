import type { BackendName } from '../contract/backend.js';
import type { LadderRung } from '../contract/ladder.js';
import type { Compositor } from './compositor.js';
import type { FrameRoutes } from '../contract/stats.js';

/** MediaPipe's delegate: its GPU one is 10× slower than its CPU one on a software GPU. */
export type SegmenterDelegate = 'CPU' | 'GPU';

/** A compositor a backend started, with what goes with it. */
export interface StartedCompositor {
  readonly compositor: Compositor;
  /** MediaPipe's delegate to pair with this compositor. */
  readonly delegate: SegmenterDelegate;
  /** Test hook: lose the device or context as a GPU reset would. */
  loseForTest(): void;
  /** Destroys the compositor and its device or context. */
  release(): void;
}

export interface StartOptions {
  /** Wait for the GPU after each stage, so that the timings are real (the benchmark). */
  readonly profile: boolean;
  /** Called once when the device or context is lost unexpectedly (never after `release`). */
  readonly onLost: (reason: string) => void;
  /** What the CPU renderer needs: its second thread. */
  readonly cpuRenderer: CpuRendererOptions;
}

/** What the worker gives the CPU renderer (gpu/cpu/), whichever backend starts it. */
export interface CpuRendererOptions {
  /**
   * Starts the worker of the composite's second thread (a copy of the blur
   * worker, see gpu/cpu/composite-band-helper.ts); absent or null: one thread.
   */
  readonly startHelperWorker?: (() => Worker) | null;
  /** Test hook: the helper stops answering after this many bands. */
  readonly silenceHelperAfterBands?: number;
}

/** What a backend's probe found in the worker, and how to start on it. */
export interface BackendProbe {
  readonly available: boolean;
  /** Why it is not available; empty when it is. */
  readonly reason: string;
  /** Its GPU says it is a software one: the CPU renders faster, and MediaPipe takes its CPU delegate. */
  readonly software: boolean;
  /** Creates the compositor; throws when it will not start. */
  start(options: StartOptions): StartedCompositor;
  /** Lets go of what the probe acquired for `start` and `start` did not take (WebGPU's device). Safe to call twice. */
  release(): void;
}

/** What the worker offers a backend's probe. */
export interface ProbeEnvironment {
  /**
   * Runs the zero-copy frame-route probe (gpu/webgpu/frame-routes.ts) in a
   * context of its own, whose WebGPU instance may die of it without harm.
   */
  probeFrameRoutesApart(): Promise<FrameRoutes>;
}

/**
 * One backend: each gpu/<name>/backend.ts exports one, and gpu/backends.ts
 * lists them. The worker probes and starts backends only through these; the
 * main thread sees their names, probe results and rungs in `probed`.
 */
export interface BackendDescriptor {
  readonly name: BackendName;
  /** The tiers it gives on which transports. */
  readonly rungs: readonly LadderRung[];
  /**
   * `gpu`: renders through a GPU API, so every start proves its blur against
   * the CPU renderer's and the faster one runs (see startBackend); `cpu`: it
   * is a CPU renderer, started and proven as it is.
   */
  readonly renderer: 'gpu' | 'cpu';
  /** Probes in the worker, where it will run. */
  probe(environment: ProbeEnvironment): Promise<BackendProbe>;
}
