import type { SegmentationModel } from '../contract/options.js';
import type { Adaptation, GovernorLevel } from '../contract/stats.js';

/** The pipeline is behind when its output period exceeds the camera's by this factor. */
const BEHIND = 1.12;
/** Busy time under this fraction of the camera interval is clear headroom. */
const CLEAR_HEADROOM = 0.5;
/** Outputs in a row that are behind, after the settling period, before stepping up a level (about a third of a second). */
const STEP_UP_FRAMES = 10;
/** Outputs ignored after any level change or start: JIT warm-up and a model swap make them slow. */
const SETTLE_FRAMES = 20;
/** Milliseconds of clear headroom, continuously, before stepping down a level. */
const CLEAR_HEADROOM_MS = 4000;
/** A level is retried after this long even without clear headroom (the load may have gone); doubles after each failed retry. */
const FIRST_RETRY_MS = 20_000;
const MAX_RETRY_MS = 160_000;
/** Stepping back up within this long after a step down means the retry failed. */
const RETRY_FAILED_WITHIN_MS = 6000;
/** Weight of the newest sample in the moving averages. */
const EMA_WEIGHT = 0.1;

/**
 * The frame-budget governor. When the pipeline delivers frames slower than
 * the camera gives them, it first segments only every other frame (the frame
 * between reuses the latest refined mask), then also switches to the
 * landscape model, which costs about 60% of the general one. It measures the
 * output period rather than modelling stage costs, so it stays right when
 * segmentation overlaps compositing on another core. It steps back down when
 * the busy time shows clear headroom, and otherwise retries the better level
 * now and then (the machine's load may have changed), backing off after each
 * retry that fails.
 */
export class FrameBudgetGovernor {
  private level: GovernorLevel = 0;
  private intervalMs = 1000 / 30;
  private lastInputUs: number | null = null;
  private lastOutputAt: number | null = null;
  private periodMs: number | null = null;
  private busyMs: number | null = null;
  private behindFrames = 0;
  private settleFrames = SETTLE_FRAMES;
  private headroomSinceMs: number | null = null;
  private levelSinceMs: number | null = null;
  private lastStepDownAt = -Infinity;
  private retryAfterMs = FIRST_RETRY_MS;
  private frameCounter = 0;

  /**
   * `fixedBudgetMs` is the camera's frame interval from its settings (or a test
   * hook's budget). Without it the interval is estimated from the frames read,
   * which undercounts the camera's rate once frames are being dropped upstream.
   * `pinnedLevel` (a test hook) holds an enabled governor at that level for good.
   */
  constructor(
    private readonly enabled: boolean,
    private readonly fixedBudgetMs?: number,
    private readonly pinnedLevel?: GovernorLevel,
  ) {
    if (enabled && pinnedLevel !== undefined) this.level = pinnedLevel;
  }

  /** Every input frame's timestamp, including the ones dropped later: they give the camera's pace. */
  noteInput(timestampUs: number): void {
    if (this.lastInputUs !== null) {
      const interval = (timestampUs - this.lastInputUs) / 1000;
      // Ignore gaps and repeats (a paused source, a restarted clip).
      if (interval > 4 && interval < 250) this.intervalMs += (interval - this.intervalMs) * EMA_WEIGHT;
    }
    this.lastInputUs = timestampUs;
  }

  /** Whether the frame about to be processed should run the segmenter. */
  shouldSegment(hasMask: boolean): boolean {
    this.frameCounter++;
    if (!hasMask || this.level === 0) return true;
    return this.frameCounter % 2 === 0;
  }

  /** The model to run for the user's choice, at the current level. */
  model(requested: SegmentationModel): SegmentationModel {
    return this.level === 2 ? 'landscape' : requested;
  }

  adaptation(requested: SegmentationModel): Adaptation {
    return { level: this.level, segmentEvery: this.level === 0 ? 1 : 2, model: this.model(requested) };
  }

  /** Records a delivered frame and how long it kept the pipeline's own thread busy; moves between levels. */
  record(busyMs: number, nowMs: number, requested: SegmentationModel): void {
    if (!this.enabled || this.pinnedLevel !== undefined) return;
    this.levelSinceMs ??= nowMs;
    if (this.lastOutputAt !== null) this.periodMs = ema(this.periodMs, nowMs - this.lastOutputAt);
    this.lastOutputAt = nowMs;
    this.busyMs = ema(this.busyMs, busyMs);
    if (this.settleFrames > 0) {
      this.settleFrames--;
      return;
    }
    const budget = this.fixedBudgetMs ?? this.intervalMs;
    const period = this.fixedBudgetMs !== undefined ? Math.max(this.periodMs ?? 0, this.busyMs) : (this.periodMs ?? 0);
    if (period > budget * BEHIND) {
      this.headroomSinceMs = null;
      if (++this.behindFrames >= STEP_UP_FRAMES && this.level < this.maxLevel(requested)) {
        // Behind again soon after a step down: that retry failed, wait longer before the next.
        if (nowMs - this.lastStepDownAt < RETRY_FAILED_WITHIN_MS) this.retryAfterMs = Math.min(MAX_RETRY_MS, this.retryAfterMs * 2);
        this.setLevel((this.level + 1) as GovernorLevel, nowMs);
      }
      return;
    }
    this.behindFrames = 0;
    if (this.level === 0) return;
    const clearHeadroom = this.busyMs < budget * CLEAR_HEADROOM;
    this.headroomSinceMs = clearHeadroom ? (this.headroomSinceMs ?? nowMs) : null;
    const headroomLongEnough = this.headroomSinceMs !== null && nowMs - this.headroomSinceMs >= CLEAR_HEADROOM_MS;
    const retryDue = nowMs - this.levelSinceMs >= this.retryAfterMs;
    if (headroomLongEnough || retryDue) {
      this.lastStepDownAt = nowMs;
      this.setLevel((this.level - 1) as GovernorLevel, nowMs);
    }
  }

  private maxLevel(requested: SegmentationModel): GovernorLevel {
    return requested === 'landscape' ? 1 : 2;
  }

  private setLevel(level: GovernorLevel, nowMs: number): void {
    this.level = level;
    this.behindFrames = 0;
    this.settleFrames = SETTLE_FRAMES;
    this.headroomSinceMs = null;
    this.levelSinceMs = nowMs;
    this.periodMs = null;
    this.busyMs = null;
  }
}

function ema(previous: number | null, sample: number): number {
  return previous === null ? sample : previous + (sample - previous) * EMA_WEIGHT;
}
