// One direction of a separable Gaussian over a texture; the kernel comes from
// gaussian-kernel.ts, shared with every other tier. It blurs the frame's
// downsampled copy, and it refines the mask: with sigmoidSteepness > 0 the
// red channel is then sharpened by 1 / (1 + exp(-k (m - 0.5))).

struct BlurParams {
  // One texel step in the blur's direction, in texels (1,0) or (0,1).
  direction: vec2i,
  radius: i32,
  // weights[i / 4][i % 4] is the weight of the taps at ±i.
  weights: array<vec4f, 8>,
  sigmoidSteepness: f32,
};

@group(0) @binding(0) var source: texture_2d<f32>;
@group(0) @binding(1) var<uniform> params: BlurParams;

fn weightAt(i: i32) -> f32 {
  return params.weights[i / 4][i % 4];
}

@fragment
fn fragmentMain(@builtin(position) position: vec4f) -> @location(0) vec4f {
  let size = vec2i(textureDimensions(source));
  let centre = vec2i(position.xy);
  var sum = textureLoad(source, centre, 0) * weightAt(0);
  for (var i = 1; i <= params.radius; i++) {
    let step = params.direction * i;
    let a = clamp(centre + step, vec2i(0), size - 1);
    let b = clamp(centre - step, vec2i(0), size - 1);
    sum += (textureLoad(source, a, 0) + textureLoad(source, b, 0)) * weightAt(i);
  }
  if (params.sigmoidSteepness > 0.0) {
    return vec4f(1.0 / (1.0 + exp(-params.sigmoidSteepness * (sum.r - 0.5))), 0.0, 0.0, 1.0);
  }
  return sum;
}
