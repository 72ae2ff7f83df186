/**
 * copyTextureToBuffer pads each row to 256 bytes, and Firefox 153 ignores a
 * VideoFrame's `layout` strides, so read-backs are packed tight before use.
 * Copies `rows` rows of `rowBytes` from `source`, whose rows are `stride` apart, into `target`.
 */
export function packRows<T extends Uint8Array | Uint8ClampedArray>(source: Uint8Array, stride: number, rowBytes: number, rows: number, target: T): T {
  for (let row = 0; row < rows; row++) {
    target.set(source.subarray(row * stride, row * stride + rowBytes), row * rowBytes);
  }
  return target;
}
