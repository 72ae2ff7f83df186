/**
 * blur-camera: the package entry. Importing it defines `<blur-camera>` (once,
 * even if two copies of the package load) and exports the engine and types.
 */
export { BlurCamera } from './blur-camera.js';
export { BlurProcessor, type BlurProcessorOptions } from '../src/blur-processor.js';
export { BlurError, type BlurErrorType } from '../src/blur-error.js';
export type { BackgroundValue } from '../src/background/value.js';
export type { Tier, RefusedTier } from '../src/capability-ladder.js';
export type {
  BackgroundEffect,
  EffectChangeDetail,
  BlurCameraEventMap,
  BlurCameraState,
  BlurErrorDetail,
  BlurProcessorEventMap,
  StateChangeDetail,
  TierChangeDetail,
  TrackReadyDetail,
} from '../src/events.js';
export type { MaskRefinement, OutputView, SegmentationModel } from '../contract/options.js';
export type { PipelineStats, StageTimings } from '../contract/stats.js';
export type { BadgeTexts } from './tier-badge-text.js';
