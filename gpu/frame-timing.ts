/**
 * The input frame's timing, for the output frame made from it. WebKit gives
 * frames of a captured canvas a duration of −2⁶³ (no duration), which the
 * VideoFrame constructor then refuses; only a real duration is carried over.
 */
export function frameTiming(frame: VideoFrame): { timestamp: number; duration?: number } {
  const { timestamp, duration } = frame;
  return duration !== null && Number.isSafeInteger(duration) && duration >= 0 ? { timestamp, duration } : { timestamp };
}
