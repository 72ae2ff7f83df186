import type { SegmentationModel } from './protocol.js';

/** Fraction of the camera's frame interval the pipeline may use before it sheds work. */
const OVER_BUDGET = 0.92;
/** Fraction of the frame interval under which the shed work is taken back. */
const HEADROOM = 0.7;
/** Frames over budget, in a row, before stepping up a level (about a third of a second at 30 fps). */
const STEP_UP_FRAMES = 10;
/** Milliseconds of headroom, continuously, before stepping back down a level. */
const STEP_DOWN_MS = 4000;
/** Weight of the newest sample in the moving averages. */
const EMA_WEIGHT = 0.1;

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

/**
 * The frame-budget governor: when the pipeline takes longer per frame than the
 * camera gives it, it first segments only every other frame (the frame between
 * reuses the latest refined mask), then also switches to the landscape model,
 * which costs about 60% of the general one. It returns level by level once the
 * measured cost leaves clear headroom. Costs of frames with and without
 * segmentation are tracked apart, so it can predict the cost of the level
 * below before stepping down.
 */
export class FrameBudgetGovernor {
  private level: GovernorLevel = 0;
  private intervalMs = 1000 / 30;
  private lastInputUs: number | null = null;
  private costWithSegment: number | null = null;
  private costWithoutSegment: number | null = null;
  private overBudgetFrames = 0;
  private headroomSinceMs: number | null = null;
  private frameCounter = 0;

  /** `fixedBudgetMs` replaces the camera's measured frame interval (a test hook). */
  constructor(
    private readonly enabled: boolean,
    private readonly fixedBudgetMs?: number,
  ) {}

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

  /** Records how long a processed frame kept the pipeline busy, and moves between levels. */
  record(busyMs: number, segmented: boolean, nowMs: number, requested: SegmentationModel): void {
    if (!this.enabled) return;
    if (segmented) this.costWithSegment = ema(this.costWithSegment, busyMs);
    else this.costWithoutSegment = ema(this.costWithoutSegment, busyMs);
    const predicted = this.predictedCost(this.level);
    if (predicted === null) return;
    const budget = this.fixedBudgetMs ?? this.intervalMs;
    if (predicted > budget * OVER_BUDGET) {
      this.headroomSinceMs = null;
      if (++this.overBudgetFrames >= STEP_UP_FRAMES && this.level < this.maxLevel(requested)) this.setLevel((this.level + 1) as GovernorLevel);
      return;
    }
    this.overBudgetFrames = 0;
    const below = this.level > 0 ? this.predictedCost((this.level - 1) as GovernorLevel) : null;
    // At level 2 the general model's cost is unknown while the landscape one runs: require clear headroom at this level.
    const fits = this.level === 2 ? predicted < budget * HEADROOM * 0.85 : below !== null && below < budget * HEADROOM;
    if (!fits) {
      this.headroomSinceMs = null;
      return;
    }
    this.headroomSinceMs ??= nowMs;
    if (nowMs - this.headroomSinceMs >= STEP_DOWN_MS) this.setLevel((this.level - 1) as GovernorLevel);
  }

  private maxLevel(requested: SegmentationModel): GovernorLevel {
    return requested === 'landscape' ? 1 : 2;
  }

  private predictedCost(level: GovernorLevel): number | null {
    if (this.costWithSegment === null) return null;
    if (level === 0) return this.costWithSegment;
    if (this.costWithoutSegment === null) return level === this.level ? null : this.costWithSegment;
    return (this.costWithSegment + this.costWithoutSegment) / 2;
  }

  private setLevel(level: GovernorLevel): void {
    // The cost of a segmented frame changes with the model; measure it afresh.
    if (level === 2 || this.level === 2) this.costWithSegment = null;
    this.level = level;
    this.overBudgetFrames = 0;
    this.headroomSinceMs = null;
  }
}

function ema(previous: number | null, sample: number): number {
  return previous === null ? sample : previous + (sample - previous) * EMA_WEIGHT;
}
