//! The skyline: the city's meshes and materials, built once at start from a seed. Static boxes
//! (towers, windows, ground) are merged into one mesh per material; below high detail the
//! surfaces use `FlatMaterial` (`city.wgsl`), a quarter of the cost of Bevy's PBR shader on a
//! software renderer.

use bevy::light::DirectionalLight;
use bevy::pbr::{DistanceFog, FogFalloff, Material};
use bevy::prelude::*;
use bevy::render::render_resource::AsBindGroup;
use bevy::render::view::Msaa;
use bevy::shader::ShaderRef;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

use super::places::{self, Materials};
use super::sky::{Sky, SkyMaterial, paint_sky, sky_mesh};
use super::{CITY_SEED, CityScene, Look, lin, look_for, sun_direction};
use crate::game::settings::Settings;

/// A flat surface of the city at low and medium detail: a colour (the time of day's tint
/// included), the shade baked into the mesh's faces, distance fog and tone mapping; nothing
/// else (`city.wgsl`). Bevy's standard material, even unlit, takes many more steps a pixel,
/// and a software renderer pays for every step on every pixel of the skyline.
#[derive(Asset, TypePath, AsBindGroup, Debug, Clone)]
pub struct FlatMaterial {
    /// Linear colour.
    #[uniform(0)]
    pub colour: LinearRgba,
}

impl Material for FlatMaterial {
    fn fragment_shader() -> ShaderRef {
        ShaderRef::Path("embedded://her/game/city/city.wgsl".into())
    }
}

/// A surface's material: lit at high detail, flat below it.
#[derive(Clone)]
pub(super) enum Surface {
    /// Lit by Bevy's standard material (high detail).
    Lit(Handle<StandardMaterial>),
    /// Our flat material.
    Flat(Handle<FlatMaterial>),
}

impl Surface {
    /// Gives `entity` this surface.
    pub(super) fn paint(&self, entity: &mut EntityCommands) {
        match self {
            Surface::Lit(h) => entity.insert(MeshMaterial3d(h.clone())),
            Surface::Flat(h) => entity.insert(MeshMaterial3d(h.clone())),
        };
    }
}

/// The shared materials whose light changes with the time of day.
#[derive(Resource)]
pub(super) struct CityMaterials {
    pub(super) windows: Surface,
    pub(super) street_lights: Handle<StandardMaterial>,
    /// Facades and ground drawn flat (low and medium detail), with their own colours: their
    /// light is baked into the cube's faces and tinted by the time of day here, which costs a
    /// software renderer a fraction of full lighting.
    pub(super) tinted: Vec<(Handle<FlatMaterial>, Vec3)>,
    /// Rooms drawn flat: the day's light through the window, and lamps once it is dark.
    pub(super) indoor: Option<Handle<FlatMaterial>>,
    /// The places' lights: lamps, lit shop windows, strings of bulbs, the fire.
    pub(super) glow: Handle<FlatMaterial>,
    /// The sky's colours and its disc.
    pub(super) sky: Handle<SkyMaterial>,
}

/// The light of a room drawn flat: some of the day's light (`tint`), and lamplight that grows
/// as the windows outside light up.
pub(super) fn indoor_light(look: &Look) -> LinearRgba {
    let c = tint(look) * 0.85 + Vec3::new(0.42, 0.24, 0.15) * (0.15 + look.windows);
    LinearRgba::rgb(c.x, c.y, c.z)
}

/// Lights: full at night, a little softer by day (they do not light the day, they sit in it).
pub(super) fn glow_light(look: &Look) -> LinearRgba {
    let c = Vec3::splat(0.8 + 0.45 * look.windows);
    LinearRgba::rgb(c.x, c.y, c.z)
}

/// Part of the skyline, hidden where the city cannot be seen (underground, the cabin).
#[derive(Component)]
pub struct Skyline;

/// Lit windows drawn flat (low and medium detail): dark glass glowing amber as the city lights
/// up. Full lighting with an emissive term costs a software renderer far more, for the same
/// glow after tone mapping.
pub(super) fn window_glow(windows: f32) -> LinearRgba {
    let glass = Vec3::new(0.10, 0.045, 0.035);
    let c = glass + Vec3::new(1.0, 0.55, 0.25) * windows.clamp(0.0, 1.0) * 1.4;
    LinearRgba::rgb(c.x, c.y, c.z)
}

/// The colour the time of day gives unlit surfaces: sunlight and ambient light, mixed.
pub(super) fn tint(look: &Look) -> Vec3 {
    let sun = look.sun * (look.sun_lux / 10_000.0).min(1.3) * 0.75;
    let ambient = look.ambient * (look.ambient_brightness / 320.0) * 0.45;
    (sun + ambient).min(Vec3::splat(1.6))
}

/// A unit cube whose faces carry their own shade (top brightest, the faces toward the viewer
/// next, the sides darker), for flat, cheap, readable massing without lighting.
fn shaded_cube() -> Mesh {
    let mut mesh = Mesh::from(Cuboid::new(1.0, 1.0, 1.0));
    let normals: Vec<[f32; 3]> = match mesh.attribute(Mesh::ATTRIBUTE_NORMAL) {
        Some(bevy::mesh::VertexAttributeValues::Float32x3(n)) => n.clone(),
        _ => Vec::new(),
    };
    let colors: Vec<[f32; 4]> = normals
        .iter()
        .map(|n| {
            let shade = if n[1] > 0.5 {
                1.0
            } else if n[2] > 0.5 {
                0.82
            } else if n[0] > 0.5 {
                0.68
            } else if n[1] < -0.5 {
                0.3
            } else {
                0.56
            };
            [shade, shade, shade, 1.0]
        })
        .collect();
    mesh.insert_attribute(Mesh::ATTRIBUTE_COLOR, colors);
    mesh
}

/// One mesh holding a copy of `unit` (an axis-aligned box) at each transform: Bevy's own
/// `Mesh::transformed_by` and `Mesh::merge`, so the city is a few draws.
fn merge_boxes(unit: &Mesh, placed: &[Transform]) -> Mesh {
    let mut parts = placed.iter().map(|t| unit.clone().transformed_by(*t));
    let Some(mut mesh) = parts.next() else {
        return unit.clone();
    };
    for part in parts {
        // Copies of one mesh share their attributes and topology: merging cannot fail.
        let merged = mesh.merge(&part);
        debug_assert!(merged.is_ok(), "copies of one mesh merge: {merged:?}");
    }
    mesh
}

/// A light moving along a street.
#[derive(Component)]
pub(super) struct Traveller {
    pub(super) start: Vec3,
    pub(super) direction: Vec3,
    pub(super) length: f32,
    pub(super) speed: f32,
    pub(super) phase: f32,
}

/// The sun.
#[derive(Component)]
pub(super) struct Sun;

/// The camera that drifts.
#[derive(Component)]
pub struct CityCamera;

/// Builds the city, its sky and its places.
#[expect(
    clippy::too_many_arguments,
    reason = "the city is built from every kind of asset at once"
)]
pub(super) fn spawn_city(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut flats: ResMut<Assets<FlatMaterial>>,
    mut skies: ResMut<Assets<SkyMaterial>>,
    settings: Option<Res<Settings>>,
    scene: Res<CityScene>,
    options: Option<Res<crate::game::GameOptions>>,
) {
    let quality = settings.map_or(1, |s| s.quality);
    let bare = options.is_some_and(|o| o.bare_scene);
    let look = look_for(&scene);
    commands.insert_resource(ClearColor(Color::linear_rgb(
        look.sky.x, look.sky.y, look.sky.z,
    )));
    commands.insert_resource(GlobalAmbientLight {
        color: Color::linear_rgb(look.ambient.x, look.ambient.y, look.ambient.z),
        brightness: look.ambient_brightness,
        ..default()
    });

    // Multisampling multiplies the cost of every edge in the skyline; players on low and
    // medium detail get sharp edges for a fraction of the cost.
    let msaa = if quality >= 2 {
        Msaa::Sample4
    } else {
        Msaa::Off
    };
    let mut camera = commands.spawn((
        Camera3d::default(),
        msaa,
        Transform::from_translation(look.eye).looking_at(look.target, Vec3::Y),
        DistanceFog {
            color: Color::linear_rgb(look.fog.x, look.fog.y, look.fog.z),
            falloff: FogFalloff::Linear {
                start: look.fog_range.x,
                end: look.fog_range.y,
            },
            ..default()
        },
        CityCamera,
    ));
    // Depth first, then shade each pixel once: the skyline overlaps itself many times, and
    // even a software renderer then draws it at about twice the cost of a bare scene.
    camera.insert(bevy::core_pipeline::prepass::DepthPrepass);
    commands.spawn((
        DirectionalLight {
            color: Color::linear_rgb(look.sun.x, look.sun.y, look.sun.z),
            illuminance: look.sun_lux,
            shadow_maps_enabled: false,
            ..default()
        },
        Transform::default().looking_to(sun_direction(look.sun_elevation), Vec3::Y),
        Sun,
    ));

    // High detail lights everything; low and medium bake the light (see `CityMaterials`).
    let lit = quality >= 2 || bare;
    let cube = if lit {
        meshes.add(Cuboid::new(1.0, 1.0, 1.0))
    } else {
        meshes.add(shaded_cube())
    };
    let mut tinted = Vec::new();
    let mut surface = |color: Vec3, roughness: f32, tinted: &mut Vec<_>| {
        if lit {
            return Surface::Lit(materials.add(StandardMaterial {
                base_color: Color::linear_rgb(color.x, color.y, color.z),
                perceptual_roughness: roughness,
                ..default()
            }));
        }
        let c = color * tint(&look);
        let handle = flats.add(FlatMaterial {
            colour: LinearRgba::rgb(c.x, c.y, c.z),
        });
        tinted.push((handle.clone(), color));
        Surface::Flat(handle)
    };
    // The ground is a plane with no baked shade: drawn flat, it takes the top faces' shade.
    let ground = surface(lin(0.30, 0.17, 0.15), 0.95, &mut tinted);
    ground.paint(&mut commands.spawn((
        Mesh3d(meshes.add(Plane3d::default().mesh().size(1200.0, 1200.0))),
        Skyline,
    )));
    let facades: Vec<Surface> = [
        (0.60, 0.34, 0.28),
        (0.70, 0.46, 0.36),
        (0.50, 0.27, 0.24),
        (0.82, 0.62, 0.48),
        (0.66, 0.30, 0.24),
    ]
    .iter()
    .map(|&(r, g, b)| surface(lin(r, g, b), 0.85, &mut tinted))
    .collect();
    // The places' outdoor surfaces: white, their colours in their vertices.
    let outdoor = surface(Vec3::ONE, 0.85, &mut tinted);
    let windows = if lit {
        Surface::Lit(materials.add(StandardMaterial {
            base_color: Color::srgb(0.35, 0.22, 0.18),
            emissive: LinearRgba::rgb(1.0, 0.55, 0.25) * look.windows * 6.0,
            ..default()
        }))
    } else {
        Surface::Flat(flats.add(FlatMaterial {
            colour: window_glow(look.windows),
        }))
    };
    let street_lights = materials.add(StandardMaterial {
        base_color: Color::srgb(1.0, 0.75, 0.45),
        emissive: LinearRgba::rgb(1.0, 0.6, 0.3) * 8.0,
        unlit: true,
        ..default()
    });

    // The places' own surfaces: outdoors lit like the skyline, rooms by their lamps at night
    // too, and lights; all white, their colours in their vertices.
    let indoor_handle = (!lit).then(|| {
        flats.add(FlatMaterial {
            colour: indoor_light(&look),
        })
    });
    let indoor = indoor_handle
        .clone()
        .map_or_else(|| outdoor.clone(), Surface::Flat);
    let glow = flats.add(FlatMaterial {
        colour: glow_light(&look),
    });
    let mut sky = SkyMaterial::default();
    paint_sky(&mut sky, &look, 0.0);
    let sky = skies.add(sky);

    let mut rng = ChaCha8Rng::seed_from_u64(CITY_SEED);
    if bare {
        // The yardstick: one lit cube on the ground, same camera, light and fog.
        facades[0].paint(&mut commands.spawn((
            Mesh3d(cube.clone()),
            Transform::from_xyz(0.0, 20.0, -60.0).with_scale(Vec3::splat(40.0)),
        )));
        commands.insert_resource(CityMaterials {
            windows,
            street_lights,
            tinted,
            indoor: indoor_handle,
            glow,
            sky,
        });
        return;
    }
    // Blocks on a grid beyond the foreground, streets between them, an open avenue down the
    // middle for the street views; the tallest towers stand at the heart of the grid.
    let block = 22.0;
    let mut cells: Vec<(i32, i32)> = (-9..=9)
        .flat_map(|gx| (-14..=1).map(move |gz| (gx, gz)))
        .filter(|(gx, _)| *gx != 0)
        .collect();
    if quality == 0 {
        cells.retain(|(gx, gz)| (gx + gz) % 2 == 0);
    }
    // Towers, setbacks and window bands never move: they are gathered per material and merged
    // into one mesh each, so the whole skyline is a handful of draws rather than a thousand.
    let mut boxes: Vec<Vec<Transform>> = vec![Vec::new(); facades.len() + 1];
    let window_key = facades.len();
    for (gx, gz) in cells {
        let centre = Vec3::new(gx as f32 * block, 0.0, gz as f32 * block);
        let heart = Vec3::new(0.0, 0.0, -110.0);
        let tall = (1.0 - centre.distance(heart) / 260.0).max(0.12);
        let w = rng.random_range(8.0..16.0);
        let d = rng.random_range(8.0..16.0);
        let h = rng.random_range(10.0..(18.0 + 130.0 * tall));
        let material = rng.random_range(0..facades.len());
        let base = centre
            + Vec3::new(
                rng.random_range(-2.0..2.0),
                0.0,
                rng.random_range(-2.0..2.0),
            );
        boxes[material].push(
            Transform::from_translation(base + Vec3::Y * h / 2.0).with_scale(Vec3::new(w, h, d)),
        );
        // A setback tier on some towers, for varied massing.
        if h > 50.0 && (quality > 1 || rng.random_bool(0.5)) {
            let h2 = rng.random_range(10.0..h * 0.4);
            boxes[rng.random_range(0..facades.len())].push(
                Transform::from_translation(base + Vec3::Y * (h + h2 / 2.0)).with_scale(Vec3::new(
                    w * 0.6,
                    h2,
                    d * 0.6,
                )),
            );
        }
        // Bands of windows on the face toward the viewer.
        let bands = (h / 7.0) as usize;
        let (step, gaps) = match quality {
            0 => (4, 0.5),
            1 => (3, 0.45),
            _ => (2, 0.35),
        };
        for band in (1..bands).step_by(step) {
            if rng.random_bool(gaps) {
                continue;
            }
            let y = band as f32 * 7.0;
            boxes[window_key].push(
                Transform::from_translation(base + Vec3::new(0.0, y, d / 2.0 + 0.05))
                    .with_scale(Vec3::new(w * rng.random_range(0.4..0.9), 1.6, 0.1)),
            );
        }
    }
    if let Some(unit) = meshes.get(&cube).cloned() {
        for (key, placed) in boxes.iter().enumerate() {
            if placed.is_empty() {
                continue;
            }
            let material = facades.get(key).unwrap_or(&windows);
            material.paint(
                &mut commands.spawn((Mesh3d(meshes.add(merge_boxes(&unit, placed))), Skyline)),
            );
        }
    }
    // Small moving lights along the streets: traffic and people.
    let travellers = if quality == 0 { 24 } else { 64 };
    for i in 0..travellers {
        let along_x = i % 2 == 0;
        let lane = rng.random_range(-9..9) as f32 * block + block / 2.0;
        let (start, direction) = if along_x {
            let street = rng.random_range(-14..1) as f32 * block + block / 2.0;
            (Vec3::new(-200.0, 0.6, street), Vec3::X)
        } else {
            (Vec3::new(lane, 0.6, -320.0), Vec3::Z)
        };
        commands.spawn((
            Mesh3d(cube.clone()),
            MeshMaterial3d(street_lights.clone()),
            Transform::from_translation(start).with_scale(Vec3::splat(0.7)),
            Skyline,
            Traveller {
                start,
                direction,
                length: 400.0,
                speed: rng.random_range(4.0..14.0),
                phase: rng.random_range(0.0..400.0),
            },
        ));
    }
    // The sky, following the camera; then every place, hidden until the story goes there.
    commands.spawn((
        Mesh3d(meshes.add(sky_mesh())),
        MeshMaterial3d(sky.clone()),
        Transform::from_translation(look.eye),
        Sky,
    ));
    places::spawn_places(
        &mut commands,
        &mut meshes,
        &Materials {
            outdoor: &outdoor,
            indoor: &indoor,
            glow: &glow,
        },
        !lit,
        CITY_SEED,
    );
    commands.insert_resource(CityMaterials {
        windows,
        street_lights,
        tinted,
        indoor: indoor_handle,
        glow,
        sky,
    });
}
