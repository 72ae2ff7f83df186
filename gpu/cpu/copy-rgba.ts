/**
 * Copies a frame's visible pixels into `target` as RGBA bytes, `width` pixels
 * a row.
 *
 * Not `copyTo(target, { format: 'RGBA' })` for frames that are already packed:
 * WebKit (2.50) ignores the requested format for a BGRA frame and writes BGRA,
 * which swapped red and blue on every frame of its camera and captured
 * canvases. Packed frames are copied as they are and put in order here;
 * planar ones (I420, NV12) are converted by the browser.
 */
export async function copyRgba(frame: VideoFrame, target: Uint8ClampedArray<ArrayBuffer>, width: number): Promise<void> {
  const layout = [{ offset: 0, stride: width * 4 }];
  switch (frame.format) {
    case 'RGBA':
      await frame.copyTo(target, { layout });
      return;
    case 'RGBX':
      await frame.copyTo(target, { layout });
      opaque(target);
      return;
    case 'BGRA':
    case 'BGRX':
      await frame.copyTo(target, { layout });
      swapRedAndBlue(target, frame.format === 'BGRX');
      return;
    default:
      await frame.copyTo(target, { format: 'RGBA', layout });
  }
}

function swapRedAndBlue(pixels: Uint8ClampedArray, makeOpaque: boolean): void {
  for (let i = 0; i < pixels.length; i += 4) {
    const blue = pixels[i]!;
    pixels[i] = pixels[i + 2]!;
    pixels[i + 2] = blue;
    if (makeOpaque) pixels[i + 3] = 255;
  }
}

/** The X of RGBX is undefined; the output is RGBA and must be opaque. */
function opaque(pixels: Uint8ClampedArray): void {
  for (let i = 3; i < pixels.length; i += 4) pixels[i] = 255;
}
