/** How often a video background's latest frame goes to the worker: about the camera's own rate. */
const VIDEO_FRAME_INTERVAL_MS = 1000 / 30;

/**
 * Sends a video background's frames to the worker, looping the video: about
 * 30 times a second, if the video has moved on, its current frame goes over as
 * a transferred VideoFrame, and the worker closes the one before (latest
 * wins). The video plays by the wall clock, as the camera does, so it stays in
 * time with the output. A timer, not requestVideoFrameCallback, is the clock:
 * that one stops for a video that is not on screen.
 */
export class VideoBackgroundPump {
  private readonly timer: ReturnType<typeof setInterval>;
  private lastMediaTime = -1;
  private readonly startedPlaying: boolean;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly send: (frame: VideoFrame) => void,
  ) {
    video.loop = true;
    video.muted = true;
    video.playsInline = true;
    this.startedPlaying = video.paused;
    if (video.paused) void video.play().catch(() => undefined);
    this.sendNow();
    this.timer = setInterval(() => this.sendNow(), VIDEO_FRAME_INTERVAL_MS);
  }

  /** Sends the current frame even if it was sent before (a new worker has none). */
  refresh(): void {
    this.lastMediaTime = -1;
    this.sendNow();
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.startedPlaying) this.video.pause();
  }

  private sendNow(): void {
    const video = this.video;
    if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || video.videoWidth === 0) return;
    if (video.currentTime === this.lastMediaTime) return;
    let frame: VideoFrame;
    try {
      frame = new VideoFrame(video, { timestamp: Math.round(video.currentTime * 1e6) });
    } catch {
      return;
    }
    this.lastMediaTime = video.currentTime;
    this.send(frame);
  }
}
