/**
 * blur-camera: the package entry. Importing it defines `<blur-camera>` (once,
 * even if two copies of the package load) and exports the engine and types.
 */
import { BlurCamera } from '../components/blur-camera.js';

if (!customElements.get('blur-camera')) customElements.define('blur-camera', BlurCamera);

export { BlurCamera };
export { BlurProcessor, type BlurProcessorOptions } from './blur-processor.js';
export { BlurError, type BlurErrorType } from './blur-error.js';
export type { BackgroundValue } from './background-source.js';
export type { Tier, RefusedTier } from './capability-ladder.js';
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
} from './events.js';
export type { MaskRefinement, OutputView, PipelineStats, SegmentationModel, StageTimings } from '../workers/protocol.js';
export type { BadgeTexts } from '../components/tier-badge-text.js';
