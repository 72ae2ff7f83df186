import type { SegmentationModel, SegmenterRuntime } from './options.js';
import type { Backend } from './backend.js';

export type GovernorLevel = 0 | 1 | 2;

/** What the governor has shed, reported in `stats.adaptation`. */
export interface Adaptation {
  /** 0: every frame segmented; 1: every other frame reuses the last mask; 2: also the landscape model. */
  readonly level: GovernorLevel;
  /** The segmenter runs on one frame in this many. */
  readonly segmentEvery: 1 | 2;
  /** The model making the masks (the landscape one at level 2, once it has loaded). */
  readonly model: SegmentationModel;
}

/** Per-stage milliseconds, p50 and p95 over the recent frames. */
export interface StageTimings {
  readonly p50: number;
  readonly p95: number;
}

/**
 * How frames enter and leave the GPU in the WebGPU compositor. The zero-copy
 * routes run only where a probe at start-up showed that they give the right
 * pixels and keep the device; elsewhere the copy routes run.
 */
export interface FrameRoutes {
  /** `external`: the frame is imported as an external texture (no copy through the CPU); `copy`: VideoFrame.copyTo, then a texture upload. */
  readonly in: 'external' | 'copy';
  /** `canvas`: the output is a VideoFrame of a WebGPU OffscreenCanvas; `readback`: mapAsync, then a VideoFrame of the CPU's bytes. */
  readonly out: 'canvas' | 'readback';
  /** What the probe found, in words. */
  readonly why: string;
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
  readonly compositor: Backend | null;
  /** The runtime that runs the segmentation model (see the `segmenter` option); null before the pipeline starts. */
  readonly segmenter: SegmenterRuntime | null;
  /** Segmenter workers this worker runs now (MediaPipe on its own thread), which no page can see. */
  readonly segmenterWorkers: number;
  /** The CPU renderer's composite helpers this worker runs now (its second thread), which no page can see either. */
  readonly compositeWorkers: number;
  /** WebGPU devices this worker holds now (acquired and not destroyed). */
  readonly gpuDevices: number;
  /** Bytes of GPU textures and buffers the compositor holds now (null where not countable). */
  readonly gpuBytes: number | null;
  /** How frames enter and leave the GPU: the WebGPU compositor's routes; null for the others. */
  readonly frameRoutes: FrameRoutes | null;
  /** What the frame-budget governor sheds to keep up with the camera (see FrameBudgetGovernor). */
  readonly adaptation: Adaptation;
  /** Per-stage milliseconds, keyed by stage name (upload, scale, readback, segment, refine, blur, composite, total). */
  readonly stages: Readonly<Record<string, StageTimings>>;
}
