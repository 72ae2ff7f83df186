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

/** The mean colour over one output pixel's footprint in the frame. */
fn footprintMean(uv: vec2f) -> vec3f {
  let n = max(params.taps, 1u);
  var sum = vec4f(0.0);
  for (var y = 0u; y < n; y++) {
    for (var x = 0u; x < n; x++) {
      let offset = (vec2f(f32(x), f32(y)) + 0.5) / f32(n) - 0.5;
      sum += textureSample(frame, linearSampler, uv + offset * params.footprint);
    }
  }
  return (sum / f32(n * n)).rgb;
}

@fragment
fn fragmentMain(@location(0) uv: vec2f) -> @location(0) vec4f {
  return vec4f(footprintMean(uv), 1.0);
}

// The `weighted` variant's copy for the background blur: each pixel counts by
// how much it is background (1 − mask), so that the blur spreads the room's
// colours and not the person's. The weight rides in alpha; the composite
// divides it out (an unweighted copy has alpha 1, so dividing changes nothing).

struct WeightParams {
  maskCount: u32,
};

@group(0) @binding(3) var mask0: texture_2d<f32>;
@group(0) @binding(4) var mask1: texture_2d<f32>;
@group(0) @binding(5) var mask2: texture_2d<f32>;
@group(0) @binding(6) var<uniform> weightParams: WeightParams;

@fragment
fn fragmentBackgroundWeighted(@location(0) uv: vec2f) -> @location(0) vec4f {
  let colour = footprintMean(uv);
  let m = vec3f(
    textureSample(mask0, linearSampler, uv).r,
    textureSample(mask1, linearSampler, uv).r,
    textureSample(mask2, linearSampler, uv).r,
  );
  let used = vec3f(
    select(0.0, 1.0, weightParams.maskCount > 0u),
    select(0.0, 1.0, weightParams.maskCount > 1u),
    select(0.0, 1.0, weightParams.maskCount > 2u),
  );
  let person = clamp(dot(m, used) / max(f32(weightParams.maskCount), 1.0), 0.0, 1.0);
  let background = 1.0 - person;
  return vec4f(colour * background, background);
}
