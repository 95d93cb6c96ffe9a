// The city's flat surfaces at low and medium detail: the colour, the shade baked into the
// mesh's faces, the distance fog, and the tone mapping, and nothing else. Bevy's standard
// material does the same for an unlit surface with many more steps per pixel, and on a
// software renderer every step is paid for each pixel of the skyline.

#import bevy_pbr::{
    forward_io::VertexOutput,
    mesh_view_bindings::{view, fog},
}
#ifdef TONEMAP_IN_SHADER
#import bevy_core_pipeline::tonemapping::tone_mapping
#endif

@group(#{MATERIAL_BIND_GROUP}) @binding(0) var<uniform> colour: vec4<f32>;

@fragment
fn fragment(in: VertexOutput) -> @location(0) vec4<f32> {
    var c = colour.rgb;
#ifdef VERTEX_COLORS
    c = c * in.color.rgb;
#endif
    // Linear fog, as the camera's `DistanceFog` asks (the city only uses linear fog).
    let d = distance(in.world_position.xyz, view.world_position.xyz);
    let clear = clamp((fog.be.y - d) / max(fog.be.y - fog.be.x, 0.001), 0.0, 1.0);
    c = mix(fog.base_color.rgb, c, clear);
    var out = vec4<f32>(c, 1.0);
#ifdef TONEMAP_IN_SHADER
    out = tone_mapping(out, view.color_grading);
#endif
    return out;
}
