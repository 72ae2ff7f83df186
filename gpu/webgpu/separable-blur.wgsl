// One direction of a separable Gaussian blur over an rgba texture.
// The kernel comes from gaussian-kernel.ts, shared with every other tier.

struct BlurParams {
  // One texel step in the blur's direction, in texels (1,0) or (0,1).
  direction: vec2i,
  radius: i32,
  // weights[i / 4][i % 4] is the weight of the taps at ±i.
  weights: array<vec4f, 8>,
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
  return sum;
}
