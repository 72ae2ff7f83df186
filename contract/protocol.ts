import type { Background } from './background.js';
import type { Backend, BackendName } from './backend.js';
import type { BlurErrorType, SerializedError } from './errors.js';
import type { ProbedBackend } from './ladder.js';
import type { AssetUrls, LiveOptions, RendererPreference, SegmenterPlan } from './options.js';
import type { FrameRoutes, GovernorLevel, PipelineStats } from './stats.js';

/**
 * The typed message protocol between the main thread and the blur worker.
 * Both sides import these types; every message is a member of a discriminated
 * union on `type`, and errors cross as plain data, never as thrown objects.
 */

/** What the worker found it can do, probed where the work will run. */
export interface WorkerCapabilities {
  /** Every registered backend, in the registry's order (best first): the order to step down in. */
  readonly backends: readonly ProbedBackend[];
  /** The W3C form of insertable streams: MediaStreamTrackProcessor and VideoTrackGenerator in the worker (Safari 18). */
  readonly trackProcessorInWorker: boolean;
  /**
   * Any WebGL (1 or 2) on an OffscreenCanvas in the worker. MediaPipe's
   * segmenter needs it even with its CPU delegate: it takes images in through
   * a GL texture and its mask step asks for the GPU service.
   */
  readonly webglForSegmenter: boolean;
}

/** How frames reach the worker and leave it. */
export type TransportInit =
  /**
   * Chromium: a main-thread processor's readable, transferred; processed frames
   * go back as `output-frame` messages to the generator, which stays on the page
   * so that a replacement worker can write to the same output track.
   */
  | { readonly kind: 'streams'; readonly readable: ReadableStream<VideoFrame> }
  /** W3C: the camera track itself, transferred; the worker answers with `output-track`. */
  | { readonly kind: 'track'; readonly track: MediaStreamTrack }
  /**
   * Canvas capture: camera frames come as `frame` messages and processed ones
   * go back as `output-frame` messages, which the page draws into a captured
   * canvas. (Firefox cannot capture a canvas whose OffscreenCanvas went to a worker.)
   * With `pixels`, RGBA frames go back as `output-pixels` instead, for a
   * capture canvas kept in memory (WebKit's).
   */
  | { readonly kind: 'frames'; readonly pixels: boolean };

/** Hooks for tests; never set by product code. */
export interface PipelineTestHooks {
  /** Hold back the segmenter's start, so tests can watch the frames before the first mask. */
  readonly delaySegmenterMs?: number;
  /** Replace the camera's frame interval as the governor's budget, e.g. 1 ms to force it to shed work. */
  readonly frameBudgetMs?: number;
  /** These backends' compositors pass frames through unblurred, as WebKit's missing `ctx.filter` did: their blur check must refuse them. */
  readonly brokenBlur?: readonly BackendName[];
  /** The first segmenter answers no more after this many masks, as a stuck MediaPipe would: the pipeline must restart it. */
  readonly stallSegmenterAfterMasks?: number;
  /** Hold back the backend's start, so tests can change options while the worker is still starting. */
  readonly delayBackendMs?: number;
  /** Replace the guided edge's hold (gpu/refine-constants.ts's EDGE_HOLD); 0 turns it off, so the quality harness can measure what it does. */
  readonly edgeHold?: number;
  /** Replace the deadlines on the worker's start-up answers (its probe, its backend's start), so a test can outlast them with `delayBackendMs`. */
  readonly workerAnswerDeadlineMs?: number;
  /** Hold back the first output frame, as a worker on a loaded machine is slow to make it, while it reads the camera's frames. */
  readonly delayFirstOutputMs?: number;
  /** Hold back a pull transport's first frame request, as a worker on a loaded machine is slow to ask while the camera has its picture. */
  readonly delayFirstFrameRequestMs?: number;
  /**
   * Pin the frame-budget governor at this level (1: segment every other frame;
   * 2: also the landscape model), from the first frame and whatever the pipeline's
   * pace, so the quality harness can measure each level. Acts only with `adaptive`
   * on (as the governor itself does); a pinned governor never moves.
   */
  readonly governorLevel?: GovernorLevel;
  /** The CPU renderer's second thread (its composite helper) stops answering after this many bands, as a stuck thread would. */
  readonly silenceCompositeHelperAfterBands?: number;
}

/** A backend the worker would not run, and why. */
export interface RefusedBackend {
  readonly backend: BackendName;
  readonly reason: string;
}

export type MainToWorker =
  | { readonly type: 'probe' }
  /**
   * To a throwaway copy of the blur worker, from the blur worker itself: run
   * the zero-copy frame-route probe here, where losing the WebGPU instance
   * costs nothing (workers/frame-routes-apart.ts).
   */
  | { readonly type: 'probe-frame-routes' }
  | {
      readonly type: 'start';
      readonly transport: TransportInit;
      /**
       * The backend to run, then those to step down to, best first: the next
       * one starts when one will not start, does not prove its blur, or loses
       * its GPU device or context.
       */
      readonly backends: readonly BackendName[];
      readonly options: LiveOptions;
      readonly background: Background;
      /** Where the wasm and models are, when the page set `assets-url`; null: the files shipped next to the worker. */
      readonly assets: AssetUrls | null;
      readonly profile: boolean;
      readonly renderer: RendererPreference;
      /** The runtime that runs the segmentation model, as the ladder planned it (the worker completes `by-accelerator`). */
      readonly segmenter: SegmenterPlan;
      /** Whether the frame-budget governor may shed work when the pipeline falls behind the camera. */
      readonly adaptive: boolean;
      /**
       * The camera's frame rate from its track settings, when known: the
       * governor's budget. The worker cannot measure it from the frames it reads,
       * since the processor drops the ones a busy pipeline does not read.
       */
      readonly inputFrameRate: number | null;
      readonly testHooks: PipelineTestHooks;
    }
  | { readonly type: 'options'; readonly options: LiveOptions }
  /** A new background; an image in it is the worker's to close from here. */
  | { readonly type: 'background'; readonly background: Background }
  /** A camera frame, for the `frames` transport, sent in answer to `need-frame`. */
  | { readonly type: 'frame'; readonly frame: VideoFrame }
  /** An `output-pixels` buffer the page has drawn, given back for the next frame. */
  | { readonly type: 'spare-pixels'; readonly pixels: ArrayBuffer }
  /** Test hook: lose the running backend's GPU device or context, as a GPU reset would. */
  | { readonly type: 'lose-gpu' }
  | { readonly type: 'stop' };

export type WorkerToMain =
  | { readonly type: 'probed'; readonly capabilities: WorkerCapabilities }
  /** The throwaway copy's answer to `probe-frame-routes`. */
  | { readonly type: 'frame-routes'; readonly routes: FrameRoutes }
  /**
   * The backend that runs, after those before it in the start message's list
   * were refused (they would not start, or did not prove their blur).
   */
  | { readonly type: 'backend-ready'; readonly backend: BackendName; readonly compositor: Backend; readonly refused: readonly RefusedBackend[] }
  | { readonly type: 'first-frame' }
  /** The `track` transport's processed track, transferred back. */
  | { readonly type: 'output-track'; readonly track: MediaStreamTrack }
  /** The `frames` transport is ready for the next camera frame. */
  | { readonly type: 'need-frame' }
  /**
   * A processed frame for the `streams` and `frames` transports; the page
   * hands it to its generator or draws it into the captured canvas, and closes it.
   */
  | { readonly type: 'output-frame'; readonly frame: VideoFrame }
  /**
   * A processed RGBA frame's pixels, transferred, for the `frames` transport
   * with `pixels`: the page puts them into its capture canvas and sends the
   * buffer back as `spare-pixels`.
   */
  | { readonly type: 'output-pixels'; readonly pixels: ArrayBuffer; readonly width: number; readonly height: number }
  /** The pipeline stepped down to another backend after a GPU fault; no raw frame was sent. */
  | { readonly type: 'backend-changed'; readonly backend: BackendName; readonly reason: string }
  | { readonly type: 'stats'; readonly stats: PipelineStats }
  | {
      readonly type: 'error';
      readonly errorType: BlurErrorType;
      readonly message: string;
      readonly fatal: boolean;
      /** The worker mended it (a stuck segmenter restarted); the output keeps running. */
      readonly recovered?: boolean;
      readonly cause?: SerializedError;
    }
  | { readonly type: 'stopped' };
