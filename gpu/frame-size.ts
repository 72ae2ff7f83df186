/** The visible size of a frame: the size every output keeps. */
export function frameSize(frame: VideoFrame): { width: number; height: number } {
  const rect = frame.visibleRect;
  return rect ? { width: rect.width, height: rect.height } : { width: frame.codedWidth, height: frame.codedHeight };
}
