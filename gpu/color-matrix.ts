/** Luma coefficients (Kr, Kb) per colour matrix; BT.601 (smpte170m) when a frame doesn't say. */
const MATRIX_COEFFICIENTS: Readonly<Record<string, readonly [number, number]>> = {
  bt709: [0.2126, 0.0722],
  bt470bg: [0.299, 0.114],
  smpte170m: [0.299, 0.114],
  'bt2020-ncl': [0.2627, 0.0593],
};

export function lumaCoefficients(frame: VideoFrame): readonly [number, number] {
  return MATRIX_COEFFICIENTS[frame.colorSpace.matrix ?? ''] ?? MATRIX_COEFFICIENTS['smpte170m']!;
}
