// Turns an uploaded camera frame into one rgba texture at the frame's size.
// Camera frames arrive as YUV planes (I420, NV12); converting on the GPU
// costs one pass, while converting on the CPU costs 15× the plain copy.

struct ConvertParams {
  // 0: plane0 is already rgb(a); 1: I420 (Y, U, V planes); 2: NV12 (Y, interleaved UV).
  arrangement: u32,
  // 1 when the YUV values span 0..255 (JPEG cameras), 0 for studio range 16..235.
  fullRange: u32,
  // Luma coefficients of the colour matrix (BT.601: 0.299, 0.114; BT.709: 0.2126, 0.0722).
  kr: f32,
  kb: f32,
};

@group(0) @binding(0) var plane0: texture_2d<f32>;
@group(0) @binding(1) var plane1: texture_2d<f32>;
@group(0) @binding(2) var plane2: texture_2d<f32>;
@group(0) @binding(3) var linearSampler: sampler;
@group(0) @binding(4) var<uniform> params: ConvertParams;

fn yuvToRgb(yuv: vec3f) -> vec3f {
  var y = yuv.x;
  var cb = yuv.y - 128.0 / 255.0;
  var cr = yuv.z - 128.0 / 255.0;
  if (params.fullRange == 0u) {
    y = (y - 16.0 / 255.0) * (255.0 / 219.0);
    cb = cb * (255.0 / 224.0);
    cr = cr * (255.0 / 224.0);
  }
  let kg = 1.0 - params.kr - params.kb;
  let r = y + 2.0 * (1.0 - params.kr) * cr;
  let b = y + 2.0 * (1.0 - params.kb) * cb;
  let g = y - (2.0 * params.kb * (1.0 - params.kb) * cb + 2.0 * params.kr * (1.0 - params.kr) * cr) / kg;
  return clamp(vec3f(r, g, b), vec3f(0.0), vec3f(1.0));
}

@fragment
fn fragmentMain(@location(0) uv: vec2f) -> @location(0) vec4f {
  let p0 = textureSample(plane0, linearSampler, uv);
  let p1 = textureSample(plane1, linearSampler, uv);
  let p2 = textureSample(plane2, linearSampler, uv);
  if (params.arrangement == 0u) {
    return vec4f(p0.rgb, 1.0);
  }
  if (params.arrangement == 1u) {
    return vec4f(yuvToRgb(vec3f(p0.r, p1.r, p2.r)), 1.0);
  }
  return vec4f(yuvToRgb(vec3f(p0.r, p1.r, p1.g)), 1.0);
}
