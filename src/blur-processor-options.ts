import type { LiveOptions, MaskRefinement, OutputView, RendererPreference, SegmentationModel, SegmenterPreference } from '../contract/options.js';
import type { PipelineTestHooks } from '../contract/protocol.js';
import type { BackgroundValue } from './background/value.js';
import type { Tier } from './capability-ladder.js';
import { normalizeLightWrap, normalizeMaxTier, normalizeModel, normalizeRefinement, normalizeSegmenter, normalizeSigma, normalizeView } from './option-values.js';

/** What a page may set on `new BlurProcessor(track, options)`; each but the start-time ones is live on the processor too. */
export interface BlurProcessorOptions {
  /** Blur strength in pixels: 4 barely there, 8 medium (default), 16 heavy. */
  sigma?: number;
  /** `composite` (default) or `mask`, the refined person mask as grey. */
  view?: OutputView;
  /** `general` (256×256, default) or `landscape` (144×256, faster). */
  model?: SegmentationModel;
  /**
   * What stands behind the person: `blur` (default), `none` (the effect off),
   * a CSS colour, an image URL, or an ImageBitmap, Blob, `<img>` or `<video>`
   * (which loops). Pictures cover the frame, centred. One that fails to load
   * fires `error` (`background-load`) and the blur stays. Live (`background`).
   */
  background?: BackgroundValue;
  /** @internal Light wrap strength for a replaced background, 0–1; the quality harness turns it off to compare. */
  lightWrap?: number;
  /** The best rung allowed: 1 allows all, 4 forces the CPU path. */
  maxTier?: Tier;
  /** @internal The edge treatment, for the quality harness's side-by-side variants. */
  refinement?: MaskRefinement;
  /** Where the wasm and models live; default: next to the module. Must be on the page's origin (see `allowCrossOriginAssets`). */
  assetsUrl?: string;
  /**
   * Lets `assetsUrl` name another origin. The wasm there runs beside every
   * camera frame, so only set it for a server you trust as much as the page.
   */
  allowCrossOriginAssets?: boolean;
  /**
   * `auto` (default) renders on the CPU where the tier's GPU is a software one,
   * which is faster there; `gpu` always renders with the tier's GPU API.
   */
  renderer?: RendererPreference;
  /**
   * Which runtime runs the segmentation model: `auto` (default) MediaPipe on a
   * hardware GPU (its GPU delegate), LiteRT.js on WebAssembly where the model
   * runs on the CPU (faster there) or the worker has no WebGL (which MediaPipe
   * needs); `mediapipe` or `litert` to insist on one. `stats.segmenter` says
   * which runs.
   */
  segmenter?: SegmenterPreference;
  /**
   * When the pipeline falls behind the camera, segment every other frame, then
   * use the landscape model, and take both back when there is headroom
   * (default true). `stats.adaptation` says what is shed.
   */
  adaptive?: boolean;
  /** @internal Wait for the GPU after every stage, so that per-stage timings are real. For the benchmark. */
  profile?: boolean;
  /** @internal Hooks for the test suite. */
  testHooks?: PipelineTestHooks;
}

/** The options fixed for a processor's life, checked and with their defaults. */
export interface ProcessorSettings {
  readonly maxTier: Tier;
  readonly assetsUrl: string | undefined;
  readonly allowCrossOriginAssets: boolean;
  readonly profile: boolean;
  readonly renderer: RendererPreference;
  readonly segmenter: SegmenterPreference;
  readonly adaptive: boolean;
  readonly testHooks: PipelineTestHooks;
}

export function processorSettings(options: BlurProcessorOptions): ProcessorSettings {
  return {
    maxTier: normalizeMaxTier(options.maxTier),
    assetsUrl: options.assetsUrl,
    allowCrossOriginAssets: options.allowCrossOriginAssets === true,
    profile: options.profile ?? false,
    renderer: options.renderer === 'gpu' ? 'gpu' : 'auto',
    segmenter: normalizeSegmenter(options.segmenter),
    adaptive: options.adaptive !== false,
    testHooks: options.testHooks ?? {},
  };
}

/** The options the worker applies live, checked and with their defaults. */
export function liveOptionsFrom(options: BlurProcessorOptions): LiveOptions {
  return {
    sigma: normalizeSigma(options.sigma),
    view: normalizeView(options.view),
    model: normalizeModel(options.model),
    refinement: normalizeRefinement(options.refinement),
    lightWrap: normalizeLightWrap(options.lightWrap),
  };
}
