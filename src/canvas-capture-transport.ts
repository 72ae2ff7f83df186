import type { WorkerToMain } from '../contract/protocol.js';
import { BlurError } from './blur-error.js';
import { withDeadline } from './timeout.js';
import type { Transport, TransportConnection } from './transport.js';
import type { WorkerBridge } from './worker-bridge.js';

/** Longest wait for the camera's first picture in the hidden <video>. */
const FIRST_PICTURE_TIMEOUT_MS = 10000;

/**
 * How long a request from the worker waits for the video's frame callback
 * before the picture the video shows is sent anyway. A camera at 30 fps calls
 * back every 33 ms, one dimmed to 7.5 fps every 133 ms; Firefox now and then
 * stopped calling back at all (a CI run's worker read no frame in 10 s), and
 * this keeps frames flowing then.
 */
const FRAME_CALLBACK_GRACE_MS = 150;

/**
 * WebKit's 2D canvas has no `filter` (Chromium's and Firefox's have): that is
 * how its canvas is recognised here. A GPU-backed canvas there draws through
 * WebKit's GPU process and is read back again for capture; one kept in memory
 * is written and captured without either hop. (Chromium's capture of a
 * memory-backed canvas delivered nothing in a hidden tab, so it stays there.)
 */
function canvasKeepsFramesInMemory(): boolean {
  return typeof CanvasRenderingContext2D === 'function' && !('filter' in CanvasRenderingContext2D.prototype);
}

/**
 * Tiers 3 and 4's transport, for browsers without insertable streams: a hidden
 * `<video>` plays the camera, each new frame goes to the worker as a
 * transferred VideoFrame when the worker asks for one, and each processed
 * frame comes back transferred and is drawn into a captured canvas. (Drawing
 * from the worker into a transferred OffscreenCanvas would save that hop, but
 * Firefox refuses to capture such a canvas.) In WebKit the canvas is kept in
 * memory, and the CPU renderer's frames come as transferred RGBA buffers that
 * are written with one putImageData and sent back for reuse.
 *
 * The clock is the worker's request, not requestAnimationFrame: a hidden tab
 * stops rAF and requestVideoFrameCallback, but keeps delivering messages, so
 * a call keeps its video while the tab is in the background.

 */
export class CanvasCaptureTransport implements Transport {
  readonly kind = 'frames';
  readonly reconnectable = true;
  readonly output: Promise<MediaStreamTrack>;
  private readonly track: MediaStreamTrack;
  private readonly canvas: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly video: HTMLVideoElement;
  private readonly send: (frame: VideoFrame) => void;
  private readonly inMemory: boolean;
  private bridge: WorkerBridge | null = null;
  private wanted = false;
  private fresh = false;
  private stopped = false;
  private nextTimestampUs = 0;
  private requests = 0;
  private framesSent = 0;
  private framesRefused = 0;
  private graceTimer: ReturnType<typeof setTimeout> | null = null;

  private constructor(video: HTMLVideoElement, send: (frame: VideoFrame) => void) {
    this.video = video;
    this.send = send;
    this.canvas = document.createElement('canvas');
    this.canvas.width = video.videoWidth;
    this.canvas.height = video.videoHeight;
    this.inMemory = canvasKeepsFramesInMemory();
    const context = this.canvas.getContext('2d', { alpha: false, willReadFrequently: this.inMemory });
    if (!context) throw new Error('no 2d context for the capture canvas');
    this.context = context;
    const [track] = this.canvas.captureStream().getVideoTracks();
    if (!track) throw new Error('canvas.captureStream() gave no video track');
    this.track = track;
    this.output = Promise.resolve(track);
    this.watchFrames();
  }

  /** Plays `input` in a hidden `<video>`. Its end is the processor's to watch: here the video just freezes. */
  static async create(input: MediaStreamTrack, send: (frame: VideoFrame) => void): Promise<CanvasCaptureTransport> {
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([input]);
    const firstPicture = (async () => {
      await video.play();
      if (!video.videoWidth) await new Promise<void>((resolve) => video.addEventListener('resize', () => resolve(), { once: true }));
    })();
    try {
      // A camera that never sends a picture must become an error, not a start() that waits forever.
      await withDeadline(firstPicture, FIRST_PICTURE_TIMEOUT_MS, () => new BlurError('camera-ended', `The camera sent no picture in ${FIRST_PICTURE_TIMEOUT_MS / 1000} s. Check that no other app holds it, then call start().`));
    } catch (error) {
      video.pause();
      video.srcObject = null;
      throw error;
    }
    return new CanvasCaptureTransport(video, send);
  }

  /** A (new) worker joins: forget an old one's request; the new one will ask. */
  connect(bridge: WorkerBridge): TransportConnection {
    this.bridge = bridge;
    this.wanted = false;
    this.clearGrace();
    return { init: { kind: 'frames', pixels: this.inMemory }, transfer: [] };
  }

  onWorkerMessage(message: WorkerToMain): void {
    if (message.type === 'need-frame') this.requestFrame();
    if (message.type === 'output-frame') this.draw(message.frame);
    if (message.type === 'output-pixels') this.put(message.pixels, message.width, message.height);
  }

  /** The worker is ready for a frame: send the next new one. */
  private requestFrame(): void {
    this.requests++;
    this.wanted = true;
    // Hidden tabs get no frame callbacks; send what the video shows now.
    if (this.fresh || document.hidden || !('requestVideoFrameCallback' in this.video)) this.sendFrame();
    if (this.wanted) this.armGrace();
  }

  /** Sends what the video shows if no frame callback answers the request in time; retries until one is sent. */
  private armGrace(): void {
    if (this.graceTimer !== null || this.stopped) return;
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null;
      if (!this.wanted || this.stopped) return;
      this.sendFrame();
      if (this.wanted) this.armGrace();
    }, FRAME_CALLBACK_GRACE_MS);
  }

  private clearGrace(): void {
    if (this.graceTimer !== null) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }

  /** Draws a processed frame into the captured canvas, and closes it. */
  private draw(frame: VideoFrame): void {
    try {
      if (this.stopped) return;
      this.fit(frame.displayWidth, frame.displayHeight);
      this.context.drawImage(frame, 0, 0);
    } finally {
      frame.close();
    }
  }

  /** Writes a processed frame's RGBA pixels into the captured canvas, and gives the buffer back to the worker. */
  private put(pixels: ArrayBuffer, width: number, height: number): void {
    if (this.stopped) return;
    this.fit(width, height);
    this.context.putImageData(new ImageData(new Uint8ClampedArray(pixels), width, height), 0, 0);
    this.bridge?.send({ type: 'spare-pixels', pixels }, [pixels]);
  }

  private fit(width: number, height: number): void {
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== height) this.canvas.height = height;
  }

  progress(): string {
    return `the worker asked for ${this.requests} frames; the hidden video (readyState ${this.video.readyState}, ${this.video.videoWidth}×${this.video.videoHeight}) gave ${this.framesSent} and refused ${this.framesRefused}`;
  }

  cameraHasPicture(): boolean {
    return this.video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && this.video.videoWidth > 0;
  }

  stop(): void {
    this.stopped = true;
    this.clearGrace();
    this.video.pause();
    this.video.srcObject = null;
    this.bridge = null;
    this.track.stop();
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
      this.framesRefused++;
      return; // The video has no frame to give yet; the next callback tries again.
    }
    this.framesSent++;
    this.wanted = false;
    this.fresh = false;
    this.clearGrace();
    this.send(frame);
  }
}
