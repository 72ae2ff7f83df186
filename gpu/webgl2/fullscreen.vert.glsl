#version 300 es
// A single triangle covering the render target. v_uv is (0,0) at the first
// row in memory: textures hold the image's top row first, so no pass flips
// except the last one, which draws to the canvas (see composite.frag.glsl).
out vec2 v_uv;

void main() {
  vec2 corner = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  v_uv = corner;
  gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
