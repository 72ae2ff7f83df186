import type { CompositorName } from '../gpu/compositor.js';
import type { Background } from '../gpu/background.js';
import type { Adaptation } from './frame-budget-governor.js';
/**
 * The typed message protocol between the main thread and the blur worker.
 * Both sides import these types; every message is a member of a discriminated
 * union on `type`, and errors cross as plain data, never as thrown objects.
 */

export type SegmentationModel = 'general' | 'landscape';
export type OutputView = 'composite' | 'mask';

/**
 * How the model's mask becomes the composite's weight:
 * - `naive`: the raw mask, bilinearly upscaled;
 * - `seed`: σ=2 Gaussian, sigmoid (k=12), mean of the last 3 masks;
 * - `refined`: `seed`, then a joint bilateral upsample guided by the frame;
 * - `weighted`: `refined`, and the background blur weighted by (1 − mask) so
 *   the person's colours are not smeared into the room (WebGPU tiers only;
 *   elsewhere it is `refined`).
 */
export type MaskRefinement = 'naive' | 'seed' | 'refined' | 'weighted';

/** Error categories a user or app can act on; `detail.type` of the `error` event. */
export type BlurErrorType =
  | 'permission-denied'
  | 'no-camera'
  | 'camera-busy'
  | 'camera-ended'
  | 'model-load'
  | 'gpu-lost'
  | 'worker-crashed'
  | 'unsupported'
  /** A background image or video could not be loaded or used; the output shows the blur instead. */
  | 'background-load'
  /** An option the page set cannot be used (an `assets-url` on another origin, or not http(s)); nothing started. */
  | 'invalid-config';

/**
 * What stands behind the person, as the worker gets it (see gpu/background.ts).
 * An image is an ImageBitmap the page decoded (cloned, so the page keeps its
 * own copy to send again to a restarted worker) or, for a video background,
 * the video's latest frame (transferred; the worker closes the previous one).
 */
export type { Background };

/** Per-stage milliseconds, p50 and p95 over the recent frames. */
export interface StageTimings {
  readonly p50: number;
  readonly p95: number;
}

export interface PipelineStats {
  /** Frames read from the input track. */
  readonly framesIn: number;
  /** Frames written to the output track. */
  readonly framesOut: number;
  /** Frames closed unprocessed because a newer one arrived first. */
  readonly framesDropped: number;
  /** Output frames composited with no mask yet, and therefore blurred whole. */
  readonly framesWithoutMask: number;
  /** Masks produced by the segmenter. */
  readonly masks: number;
  /** What the worker renders behind the person now: what is on screen, whatever the page last asked for. */
  readonly background: 'blur' | 'none' | 'colour' | 'image';
  /** What renders the output now (`cpu` where the only GPU is a software one; see `renderer`). */
  readonly compositor: CompositorName | null;
  /** Segmenter workers this worker runs now (MediaPipe on its own thread), which no page can see. */
  readonly segmenterWorkers: number;
  /** WebGPU devices this worker holds now (acquired and not destroyed). */
  readonly gpuDevices: number;
  /** Bytes of GPU textures and buffers the compositor holds now (null where not countable). */
  readonly gpuBytes: number | null;
  /** What the frame-budget governor sheds to keep up with the camera (see FrameBudgetGovernor). */
  readonly adaptation: Adaptation;
  /** Per-stage milliseconds, keyed by stage name (upload, scale, readback, segment, refine, blur, composite, total). */
  readonly stages: Readonly<Record<string, StageTimings>>;
}

/** Options the pipeline applies live, without a restart. */
export interface LiveOptions {
  readonly sigma: number;
  readonly view: OutputView;
  readonly model: SegmentationModel;
  readonly refinement: MaskRefinement;
  /** @internal Light wrap strength for a replaced background, 0–1 (the quality harness turns it off to compare). */
  readonly lightWrap: number;
}

/** Where the worker finds its wasm loader, wasm binary and models; absolute URLs. */
export interface AssetUrls {
  readonly wasmLoader: string;
  readonly wasmBinary: string;
  readonly models: Readonly<Record<SegmentationModel, string>>;
}

/** A rendering backend in the worker; with the transport it makes the tier. */
/**
 * `auto` renders on the CPU when the tier's GPU is a software one (SwiftShader,
 * llvmpipe, a WebGPU fallback adapter), where a single 720p GPU pass costs more
 * CPU than the whole CPU renderer; `gpu` always uses the tier's GPU API.
 */
export type RendererPreference = 'auto' | 'gpu';

/**
 * What renders the output: WebGPU, WebGL2, or plain typed-array loops on the
 * CPU (tier 4, and tiers 1–3 where their GPU is a software one). No backend
 * trusts a browser API to blur: each proves it on a canary first.
 */
export type Backend = 'webgpu' | 'webgl2' | 'cpu';

export interface GpuProbe {
  readonly ok: boolean;
  /** Why WebGPU was refused, for `tierchange`'s reason. */
  readonly reason: string;
  readonly fallbackAdapter: boolean;
}

export interface WebGl2Probe {
  readonly ok: boolean;
  readonly reason: string;
  /** A software renderer (SwiftShader, llvmpipe): MediaPipe's CPU delegate is faster there. */
  readonly software: boolean;
}

/** What the worker found it can do, probed where the work will run. */
export interface WorkerCapabilities {
  readonly webgpu: GpuProbe;
  readonly webgl2: WebGl2Probe;
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
   */
  | { readonly kind: 'frames' };

/** Hooks for tests; never set by product code. */
export interface PipelineTestHooks {
  /** Hold back the segmenter's start, so tests can watch the frames before the first mask. */
  readonly delaySegmenterMs?: number;
  /** Replace the camera's frame interval as the governor's budget, e.g. 1 ms to force it to shed work. */
  readonly frameBudgetMs?: number;
  /** These backends' compositors pass frames through unblurred, as WebKit's missing `ctx.filter` did: their blur check must refuse them. */
  readonly brokenBlur?: readonly Backend[];
  /** The first segmenter answers no more after this many masks, as a stuck MediaPipe would: the pipeline must restart it. */
  readonly stallSegmenterAfterMasks?: number;
  /** Hold back the backend's start, so tests can change options while the worker is still starting. */
  readonly delayBackendMs?: number;
}

/** A backend the worker would not run, and why. */
export interface RefusedBackend {
  readonly backend: Backend;
  readonly reason: string;
}

export type MainToWorker =
  | { readonly type: 'probe' }
  | {
      readonly type: 'start';
      readonly transport: TransportInit;
      /** The backend to run, then those to step down to if its GPU context is lost, best first. */
      readonly backends: readonly Backend[];
      readonly options: LiveOptions;
      readonly background: Background;
      readonly assets: AssetUrls;
      readonly profile: boolean;
      readonly renderer: RendererPreference;
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
  /** Test hook: lose the running backend's GPU device or context, as a GPU reset would. */
  | { readonly type: 'lose-gpu' }
  | { readonly type: 'stop' };

export type WorkerToMain =
  | { readonly type: 'probed'; readonly capabilities: WorkerCapabilities }
  /**
   * The backend that runs, after those before it in the start message's list
   * were refused (they would not start, or did not prove their blur).
   */
  | { readonly type: 'backend-ready'; readonly backend: Backend; readonly compositor: CompositorName; readonly refused: readonly RefusedBackend[] }
  | { readonly type: 'first-frame' }
  /** The `track` transport's processed track, transferred back. */
  | { readonly type: 'output-track'; readonly track: MediaStreamTrack }
  /** The `frames` transport is ready for the next camera frame. */
  | { readonly type: 'need-frame' }
  /** A processed frame for the `frames` transport; the page draws it and closes it. */
  | { readonly type: 'output-frame'; readonly frame: VideoFrame }
  /** The pipeline stepped down to another backend after a GPU fault; no raw frame was sent. */
  | { readonly type: 'backend-changed'; readonly backend: Backend; readonly reason: string }
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

/** An Error as data, the way it can cross postMessage intact. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { name: 'Error', message: String(error) };
}

/** The model's input size, in pixels. The landscape model is for 16:9 calls. */
export const MODEL_INPUT_SIZE: Readonly<Record<SegmentationModel, { readonly width: number; readonly height: number }>> = {
  general: { width: 256, height: 256 },
  landscape: { width: 256, height: 144 },
};
