import type { CompositorName } from '../gpu/compositor.js';

/**
 * Tiers 3 and 4's transport, for browsers without insertable streams: a hidden
 * `<video>` plays the camera, each new frame goes to the worker as a
 * transferred VideoFrame when the worker asks for one, and each processed
 * frame comes back transferred and is drawn into a captured canvas. (Drawing
 * from the worker into a transferred OffscreenCanvas would save that hop, but
 * Firefox refuses to capture such a canvas.)
 *
 * The clock is the worker's request, not requestAnimationFrame: a hidden tab
 * stops rAF and requestVideoFrameCallback, but keeps delivering messages, so
 * a call keeps its video while the tab is in the background.
 *
 * The canvas gets its context at the first frame, once the worker has said
 * which renderer draws: frames from the CPU renderer go into a CPU-backed
 * canvas (`willReadFrequently`). In WebKitGTK on llvmpipe an accelerated
 * canvas uploads each frame and reads it back for the capture: the output ran
 * at 14–16 fps there, against 20–23 fps on a CPU canvas (same run, 3 s
 * windows). GPU frames keep an accelerated canvas, which they reach without a
 * read-back.
 */
export class CanvasCaptureTransport {
  readonly output: MediaStreamTrack;
  private readonly canvas: HTMLCanvasElement;
  private context: CanvasRenderingContext2D | null = null;
  private cpuFrames = false;
  private readonly video: HTMLVideoElement;
  private readonly send: (frame: VideoFrame) => void;
  private wanted = false;
  private fresh = false;
  private stopped = false;
  private nextTimestampUs = 0;

  private constructor(video: HTMLVideoElement, send: (frame: VideoFrame) => void) {
    this.video = video;
    this.send = send;
    this.canvas = document.createElement('canvas');
    this.canvas.width = video.videoWidth;
    this.canvas.height = video.videoHeight;
    const [track] = this.canvas.captureStream().getVideoTracks();
    if (!track) throw new Error('canvas.captureStream() gave no video track');
    this.output = track;
    this.watchFrames();
  }

  /** Plays `input` in a hidden `<video>`. Its end is the processor's to watch: here the video just freezes. */
  static async create(input: MediaStreamTrack, send: (frame: VideoFrame) => void): Promise<CanvasCaptureTransport> {
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([input]);
    await video.play();
    if (!video.videoWidth) {
      await new Promise<void>((resolve) => video.addEventListener('resize', () => resolve(), { once: true }));
    }
    return new CanvasCaptureTransport(video, send);
  }

  /** The worker is ready for a frame: send the next new one. */
  requestFrame(): void {
    this.wanted = true;
    // Hidden tabs get no frame callbacks; send what the video shows now.
    if (this.fresh || document.hidden || !('requestVideoFrameCallback' in this.video)) this.sendFrame();
  }

  /** The worker's renderer: `cpu` frames are pixels in memory. Takes effect only before the first frame is drawn. */
  setRenderer(compositor: CompositorName): void {
    this.cpuFrames = compositor === 'cpu';
  }

  /** A new worker replaces a dead one: forget the old one's request; the new one will ask. */
  reset(): void {
    this.wanted = false;
  }

  /** Draws a processed frame into the captured canvas, and closes it. */
  draw(frame: VideoFrame): void {
    try {
      if (this.stopped) return;
      if (this.canvas.width !== frame.displayWidth) this.canvas.width = frame.displayWidth;
      if (this.canvas.height !== frame.displayHeight) this.canvas.height = frame.displayHeight;
      this.context ??= this.createContext();
      this.context.drawImage(frame, 0, 0);
    } finally {
      frame.close();
    }
  }

  stop(): void {
    this.stopped = true;
    this.video.pause();
    this.video.srcObject = null;
    this.output.stop();
  }

  private createContext(): CanvasRenderingContext2D {
    const context = this.canvas.getContext('2d', { alpha: false, willReadFrequently: true });
    if (!context) throw new Error('no 2d context for the capture canvas');
    return context;
  }

  private watchFrames(): void {
    if (!('requestVideoFrameCallback' in this.video)) return;
    const onFrame = (): void => {
      if (this.stopped) return;
      this.fresh = true;
      if (this.wanted) this.sendFrame();
      this.video.requestVideoFrameCallback(onFrame);
    };
    this.video.requestVideoFrameCallback(onFrame);
  }

  private sendFrame(): void {
    if (this.stopped || this.video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return;
    // Our own timestamps: strictly increasing, in µs, as the segmenter needs.
    const now = Math.round(performance.now() * 1000);
    this.nextTimestampUs = Math.max(now, this.nextTimestampUs + 1);
    let frame: VideoFrame;
    try {
      frame = new VideoFrame(this.video, { timestamp: this.nextTimestampUs });
    } catch {
      return; // The video has no frame to give yet; the next callback tries again.
    }
    this.wanted = false;
    this.fresh = false;
    this.send(frame);
  }
}
