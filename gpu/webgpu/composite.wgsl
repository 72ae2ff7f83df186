// The final pass at the frame's full size: the sharp frame over its blurred
// copy, weighted by the mean of the last refined masks. With no mask yet
// (maskCount = 0) the weight is 0 everywhere, so the whole frame is blurred:
// the pipeline fails closed.

struct CompositeParams {
  // How many of the three mask slots hold a mask (0..3).
  maskCount: u32,
  // 0: composite, 1: the refined mask as grey.
  view: u32,
};

@group(0) @binding(0) var frame: texture_2d<f32>;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var blurred: texture_2d<f32>;
@group(0) @binding(3) var mask0: texture_2d<f32>;
@group(0) @binding(4) var mask1: texture_2d<f32>;
@group(0) @binding(5) var mask2: texture_2d<f32>;
@group(0) @binding(6) var<uniform> params: CompositeParams;

fn personWeight(uv: vec2f) -> f32 {
  // Sample all three unconditionally: textureSample must be in uniform control flow.
  let m = vec3f(
    textureSample(mask0, linearSampler, uv).r,
    textureSample(mask1, linearSampler, uv).r,
    textureSample(mask2, linearSampler, uv).r,
  );
  let used = vec3f(
    select(0.0, 1.0, params.maskCount > 0u),
    select(0.0, 1.0, params.maskCount > 1u),
    select(0.0, 1.0, params.maskCount > 2u),
  );
  return dot(m, used) / max(f32(params.maskCount), 1.0);
}

@fragment
fn fragmentMain(@location(0) uv: vec2f) -> @location(0) vec4f {
  let weight = clamp(personWeight(uv), 0.0, 1.0);
  let background = textureSample(blurred, linearSampler, uv);
  let sharp = textureSample(frame, linearSampler, uv);
  if (params.view == 1u) {
    return vec4f(vec3f(weight), 1.0);
  }
  return vec4f(mix(background.rgb, sharp.rgb, weight), 1.0);
}
