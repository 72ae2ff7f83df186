/**
 * WebKit's 2D canvas has no `filter` (Chromium's and Firefox's have): that is
 * how its canvas is recognised here. A GPU-backed canvas there draws through
 * WebKit's GPU process and is read back again for capture; one kept in memory
 * is written and captured without either hop.
 */
function canvasKeepsFramesInMemory(): boolean {
  return typeof CanvasRenderingContext2D === 'function' && !('filter' in CanvasRenderingContext2D.prototype);
}

/**
 * The canvas that canvas capture records, and how processed frames get into it.
 *
 * In WebKit the frames the CPU renders (RGBA in memory) are copied into a
 * memory-backed canvas with putImageData. Measured here (Safari 17 profile,
 * 720p, two series of bench runs alternating the two ways, 6 and 4 runs of
 * each): main-thread stalls fell from 0.79 to 0.19 and from 0.63 to 0.17 s per
 * 10 s, and CPU per frame from 0.13 to 0.09 and from 0.10 to 0.07 s, against
 * drawImage into a GPU-backed canvas. Elsewhere, and for frames a GPU
 * rendered, drawImage stays: Chromium's capture of a memory-backed canvas delivered nothing in a
 * hidden tab.
 */
export class CaptureCanvas {
  readonly canvas: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly inMemory: boolean;
  private pixels: ImageData | null = null;
  /** A copy into `pixels` is under way; frames that come meanwhile wait here, newest only. */
  private copying = false;
  private waiting: VideoFrame | null = null;
  private stopped = false;

  constructor(width: number, height: number) {
    this.inMemory = canvasKeepsFramesInMemory();
    this.canvas = document.createElement('canvas');
    this.canvas.width = width;
    this.canvas.height = height;
    const context = this.canvas.getContext('2d', { alpha: false, willReadFrequently: this.inMemory });
    if (!context) throw new Error('no 2d context for the capture canvas');
    this.context = context;
  }

  /** Draws `frame` and closes it (now, or once its pixels are copied). */
  paint(frame: VideoFrame): void {
    if (this.stopped) {
      frame.close();
      return;
    }
    if (this.inMemory && frame.format === 'RGBA') {
      if (this.copying) {
        this.waiting?.close();
        this.waiting = frame;
      } else {
        void this.copyIn(frame);
      }
      return;
    }
    try {
      this.fit(frame);
      this.context.drawImage(frame, 0, 0);
    } finally {
      frame.close();
    }
  }

  /** Closes a frame still waiting; later frames are closed as they come. */
  stop(): void {
    this.stopped = true;
    this.waiting?.close();
    this.waiting = null;
  }

  private async copyIn(frame: VideoFrame): Promise<void> {
    this.copying = true;
    try {
      this.fit(frame);
      const { displayWidth: width, displayHeight: height } = frame;
      if (this.pixels?.width !== width || this.pixels.height !== height) this.pixels = new ImageData(width, height);
      const pixels = this.pixels;
      await frame.copyTo(pixels.data);
      if (!this.stopped) this.context.putImageData(pixels, 0, 0);
    } catch (error) {
      console.warn(`blur-camera: a processed frame could not be copied into the capture canvas: ${String(error)}`);
    } finally {
      frame.close();
      this.copying = false;
    }
    const next = this.waiting;
    this.waiting = null;
    if (next) this.paint(next);
  }

  private fit(frame: VideoFrame): void {
    if (this.canvas.width !== frame.displayWidth) this.canvas.width = frame.displayWidth;
    if (this.canvas.height !== frame.displayHeight) this.canvas.height = frame.displayHeight;
  }
}
