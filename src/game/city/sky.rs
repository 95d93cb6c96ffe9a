//! The sky: a gradient with the sun or the moon as a disc in the haze (`sky.wgsl`), on a sphere
//! that follows the camera. Its colours come from the look (`Look::sky`, `Look::zenith`,
//! `Look::disc`), and its haze is the fade between places.

use bevy::pbr::Material;
use bevy::prelude::*;
use bevy::render::render_resource::AsBindGroup;
use bevy::shader::ShaderRef;

use super::Look;

/// The sky's radius: inside the camera's far plane (1,000), beyond the fog's end.
pub(super) const SKY_RADIUS: f32 = 900.0;

/// The sky's colours (linear) and its disc.
#[derive(Asset, TypePath, AsBindGroup, Debug, Clone, Default)]
pub struct SkyMaterial {
    /// At the horizon: the haze.
    #[uniform(0)]
    pub horizon: LinearRgba,
    /// Overhead.
    #[uniform(1)]
    pub zenith: LinearRgba,
    /// The disc's colour; alpha holds the cosine of its angular radius.
    #[uniform(2)]
    pub disc: LinearRgba,
    /// Toward the disc (xyz); w: how much haze hides the sky (1 in the middle of a fade).
    #[uniform(3)]
    pub toward: Vec4,
}

impl Material for SkyMaterial {
    fn fragment_shader() -> ShaderRef {
        ShaderRef::Path("embedded://her/game/city/sky.wgsl".into())
    }
}

/// The sphere the sky is drawn on.
#[derive(Component)]
pub struct Sky;

/// The sky's sphere, seen from inside: its faces turned inward.
pub(super) fn sky_mesh() -> Mesh {
    let sphere = Sphere::new(SKY_RADIUS).mesh().uv(24, 12);
    // A UV sphere's triangles are a list: inverting them cannot fail.
    sphere.clone().with_inverted_winding().unwrap_or(sphere)
}

/// The direction of the visible disc: ahead of the camera and a little to its left, at the
/// look's elevation, so a golden hour or a dawn puts the sun in the picture wherever the place
/// faces.
pub(super) fn disc_direction(look: &Look) -> Vec3 {
    let ahead = (look.target - look.eye) * Vec3::new(1.0, 0.0, 1.0);
    let ahead = ahead.try_normalize().unwrap_or(Vec3::NEG_Z);
    let side = Quat::from_rotation_y(0.32) * ahead;
    let e = look.disc_elevation;
    (side * e.cos() + Vec3::Y * e.sin()).normalize()
}

/// Sets the sky's uniforms from the look; `haze` is the fade between places (0 to 1).
pub(super) fn paint_sky(sky: &mut SkyMaterial, look: &Look, haze: f32) {
    let rgb = |v: Vec3| LinearRgba::rgb(v.x, v.y, v.z);
    sky.horizon = rgb(look.sky);
    sky.zenith = rgb(look.zenith);
    sky.disc = rgb(look.disc).with_alpha(look.disc_size.cos());
    sky.toward = disc_direction(look).extend(haze.clamp(0.0, 1.0));
}
