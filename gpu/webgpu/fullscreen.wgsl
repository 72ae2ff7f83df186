// A single triangle that covers the whole render target; every pass of the
// compositor is a fragment shader run once per output pixel.
struct FullscreenVertex {
  @builtin(position) position: vec4f,
  @location(0) uv: vec2f,
};

@vertex
fn vertexMain(@builtin(vertex_index) index: u32) -> FullscreenVertex {
  let corner = vec2f(f32((index << 1u) & 2u), f32(index & 2u));
  var out: FullscreenVertex;
  out.position = vec4f(corner * 2.0 - 1.0, 0.0, 1.0);
  // Texture space has y pointing down, clip space up.
  out.uv = vec2f(corner.x, 1.0 - corner.y);
  return out;
}
