// Downscales the camera frame to a smaller texture: the model's input, or the
// copy that the background blur runs on. Each output pixel averages a grid of
// bilinear taps spread over its footprint, so that small targets do not alias.

struct DownscaleParams {
  // Footprint of one output pixel, in source uv units.
  footprint: vec2f,
  // Taps per axis (1..4); each bilinear tap already averages 2×2 source pixels.
  taps: u32,
};

@group(0) @binding(0) var frame: texture_2d<f32>;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var<uniform> params: DownscaleParams;

@fragment
fn fragmentMain(@location(0) uv: vec2f) -> @location(0) vec4f {
  let n = max(params.taps, 1u);
  var sum = vec4f(0.0);
  for (var y = 0u; y < n; y++) {
    for (var x = 0u; x < n; x++) {
      let offset = (vec2f(f32(x), f32(y)) + 0.5) / f32(n) - 0.5;
      sum += textureSample(frame, linearSampler, uv + offset * params.footprint);
    }
  }
  return vec4f((sum / f32(n * n)).rgb, 1.0);
}
