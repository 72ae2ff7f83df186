import type { BackgroundValue } from '../src/background/value.js';
import type { BlurProcessorOptions } from '../src/blur-processor.js';
import type { CameraRequest } from '../src/camera.js';
import type { Tier } from '../src/capability-ladder.js';
import { normalizeMaxTier, normalizeModel, normalizeSegmenter, normalizeSigma, normalizeView, numberInRange } from '../src/option-values.js';
import type { OutputView, SegmentationModel, SegmenterPreference } from '../contract/options.js';

/** The element's properties a start reads, as the page set them (attributes arrive as anything). */
export interface ElementOptions {
  readonly width: number;
  readonly height: number;
  readonly frameRate: number;
  readonly deviceId: string;
  readonly facingMode: string;
  readonly sigma: number;
  readonly view: OutputView;
  readonly model: SegmentationModel;
  readonly background: BackgroundValue | null;
  readonly maxTier: Tier;
  readonly segmenter: SegmenterPreference;
  readonly assetsUrl: string;
  readonly allowCrossOriginAssets: boolean;
}

/** What to ask getUserMedia for: sizes clamped to what cameras give (with a warning), an empty id or facing left to the browser. */
export function cameraRequest(options: ElementOptions): CameraRequest {
  return {
    width: numberInRange('width', options.width, 160, 3840, 1280),
    height: numberInRange('height', options.height, 120, 2160, 720),
    frameRate: numberInRange('frame-rate', options.frameRate, 1, 60, 30),
    deviceId: options.deviceId || undefined,
    facingMode: options.facingMode || undefined,
  };
}

/** The BlurProcessor's options, read when the camera has opened: a value set during the prompt counts. */
export function processorOptions(options: ElementOptions): BlurProcessorOptions {
  return {
    sigma: normalizeSigma(options.sigma),
    view: normalizeView(options.view),
    model: normalizeModel(options.model),
    background: options.background ?? 'blur',
    maxTier: normalizeMaxTier(options.maxTier),
    segmenter: normalizeSegmenter(options.segmenter),
    ...(options.assetsUrl ? { assetsUrl: options.assetsUrl } : {}),
    allowCrossOriginAssets: options.allowCrossOriginAssets === true,
  };
}
