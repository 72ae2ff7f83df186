/** A small RGB image in floats (0–255), three values per pixel, row-major: the CPU renderer's working format. */
export interface RgbImage {
  width: number;
  height: number;
  data: Float32Array;
}

export function emptyRgbImage(): RgbImage {
  return { width: 0, height: 0, data: new Float32Array(0) };
}

/** Resizes `image` in place (reallocating only when it grows), so per-frame work allocates nothing. */
export function sizeRgbImage(image: RgbImage, width: number, height: number): RgbImage {
  image.width = width;
  image.height = height;
  if (image.data.length < width * height * 3) image.data = new Float32Array(width * height * 3);
  return image;
}
