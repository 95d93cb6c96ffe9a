// The sky: a warm gradient from the haze at the horizon up to the zenith, with the sun (or the
// moon) as a soft disc in the haze and a glow around it. Drawn on a sphere that follows the
// camera, so it costs one cheap pass over the pixels the city leaves uncovered. The haze term
// fades the whole sky to the horizon's colour, which is how one place fades into the next.

#import bevy_pbr::{
    forward_io::VertexOutput,
    mesh_view_bindings::view,
}
#ifdef TONEMAP_IN_SHADER
#import bevy_core_pipeline::tonemapping::tone_mapping
#endif

@group(#{MATERIAL_BIND_GROUP}) @binding(0) var<uniform> horizon: vec4<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(1) var<uniform> zenith: vec4<f32>;
// The disc's colour (rgb) and the cosine of its angular radius (a).
@group(#{MATERIAL_BIND_GROUP}) @binding(2) var<uniform> disc: vec4<f32>;
// Toward the disc (xyz) and how much haze hides everything (w).
@group(#{MATERIAL_BIND_GROUP}) @binding(3) var<uniform> toward: vec4<f32>;

@fragment
fn fragment(in: VertexOutput) -> @location(0) vec4<f32> {
    let d = normalize(in.world_position.xyz - view.world_position.xyz);
    // Below the horizon the haze stays: the ground beyond the fog is the fog's colour.
    let up = clamp(d.y, 0.0, 1.0);
    var c = mix(horizon.rgb, zenith.rgb, pow(up, 0.55));
    let facing = max(dot(d, normalize(toward.xyz)), 0.0);
    // A wide glow and a tighter one: light scattered in the haze around the disc.
    c = c + disc.rgb * (pow(facing, 6.0) * 0.18 + pow(facing, 60.0) * 0.35);
    // The disc itself, its edge softened; lower in the sky it sinks into the haze.
    let edge = smoothstep(disc.a - 0.00012, disc.a + 0.00008, dot(d, normalize(toward.xyz)));
    let sink = smoothstep(-0.01, 0.06, d.y);
    c = mix(c, disc.rgb, edge * mix(0.35, 1.0, sink));
    c = mix(c, horizon.rgb, toward.w);
    var out = vec4<f32>(c, 1.0);
#ifdef TONEMAP_IN_SHADER
    out = tone_mapping(out, view.color_grading);
#endif
    return out;
}
