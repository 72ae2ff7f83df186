// Mask refinement, the vertical half: a σ=2 Gaussian down the columns of the
// horizontally smoothed mask, then the sigmoid that sharpens the soft edge.
// The horizontal half is separable-blur.wgsl run on the raw mask.

struct RefineParams {
  direction: vec2i,
  radius: i32,
  weights: array<vec4f, 8>,
  sigmoidSteepness: f32,
};

@group(0) @binding(0) var source: texture_2d<f32>;
@group(0) @binding(1) var<uniform> params: RefineParams;

fn weightAt(i: i32) -> f32 {
  return params.weights[i / 4][i % 4];
}

@fragment
fn fragmentMain(@builtin(position) position: vec4f) -> @location(0) vec4f {
  let size = vec2i(textureDimensions(source));
  let centre = vec2i(position.xy);
  var m = textureLoad(source, centre, 0).r * weightAt(0);
  for (var i = 1; i <= params.radius; i++) {
    let step = params.direction * i;
    let a = clamp(centre + step, vec2i(0), size - 1);
    let b = clamp(centre - step, vec2i(0), size - 1);
    m += (textureLoad(source, a, 0).r + textureLoad(source, b, 0).r) * weightAt(i);
  }
  let sharpened = 1.0 / (1.0 + exp(-params.sigmoidSteepness * (m - 0.5)));
  return vec4f(sharpened, 0.0, 0.0, 1.0);
}
