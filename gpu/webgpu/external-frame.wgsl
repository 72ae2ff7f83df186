// The zero-copy route in: the camera frame imported as an external texture.
// The browser samples its planes (YUV or RGB) and converts as it samples, so
// the frame's pixels never pass through the CPU.

@group(0) @binding(0) var frame: texture_external;
@group(0) @binding(1) var linearSampler: sampler;

@fragment
fn fragmentMain(@location(0) uv: vec2f) -> @location(0) vec4f {
  return vec4f(textureSampleBaseClampToEdge(frame, linearSampler, uv).rgb, 1.0);
}
