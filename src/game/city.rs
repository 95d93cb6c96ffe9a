//! The city: a procedural, seeded skyline in the film's palette (reds, corals, peach, amber,
//! cream; no blue anywhere), lit by the time of day and the mood the story asks for. Cheap to
//! draw: the static skyline is merged into one mesh per material, so the whole city is a few
//! draw calls; below high detail its surfaces use a flat material of our own (`city.wgsl`:
//! colour, baked shade, fog, tone mapping) instead of Bevy's full PBR shader, which a software
//! renderer pays for on every pixel; nothing allocates per frame.

use bevy::camera::ClearColor;
use bevy::light::{DirectionalLight, GlobalAmbientLight};
use bevy::pbr::{DistanceFog, FogFalloff, Material, MaterialPlugin};
use bevy::prelude::*;
use bevy::render::RenderApp;
use bevy::render::render_resource::AsBindGroup;
use bevy::render::view::Msaa;
use bevy::shader::ShaderRef;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

use super::GameSet;
use super::runner::SceneChange;
use super::settings::Settings;
use crate::story::format::{Location, Mood, SceneDef, TimeOfDay};

/// The city's seed: the skyline is the same every time the game starts.
const CITY_SEED: u64 = 2013;

/// Everything that sets the look of a moment, eased from one to the next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Look {
    /// Sky (clear colour), linear.
    pub sky: Vec3,
    /// Fog colour, linear.
    pub fog: Vec3,
    /// Fog start and end distances.
    pub fog_range: Vec2,
    /// Sun colour, linear.
    pub sun: Vec3,
    /// Sun illuminance (lux).
    pub sun_lux: f32,
    /// Sun elevation (radians above the horizon).
    pub sun_elevation: f32,
    /// Ambient colour, linear.
    pub ambient: Vec3,
    /// Ambient brightness.
    pub ambient_brightness: f32,
    /// How lit the windows are, 0 to 1.
    pub windows: f32,
    /// Camera position.
    pub eye: Vec3,
    /// Where the camera looks.
    pub target: Vec3,
}

impl Look {
    fn lerp(self, to: Look, t: f32) -> Look {
        Look {
            sky: self.sky.lerp(to.sky, t),
            fog: self.fog.lerp(to.fog, t),
            fog_range: self.fog_range.lerp(to.fog_range, t),
            sun: self.sun.lerp(to.sun, t),
            sun_lux: self.sun_lux + (to.sun_lux - self.sun_lux) * t,
            sun_elevation: self.sun_elevation + (to.sun_elevation - self.sun_elevation) * t,
            ambient: self.ambient.lerp(to.ambient, t),
            ambient_brightness: self.ambient_brightness
                + (to.ambient_brightness - self.ambient_brightness) * t,
            windows: self.windows + (to.windows - self.windows) * t,
            eye: self.eye.lerp(to.eye, t),
            target: self.target.lerp(to.target, t),
        }
    }

    fn distance(&self, to: &Look) -> f32 {
        (self.sky - to.sky).length()
            + (self.eye - to.eye).length() * 0.01
            + (self.target - to.target).length() * 0.01
            + (self.windows - to.windows).abs()
            + (self.sun_lux - to.sun_lux).abs() * 1e-4
    }
}

/// An sRGB colour as a linear vector.
fn lin(r: f32, g: f32, b: f32) -> Vec3 {
    let c = Color::srgb(r, g, b).to_linear();
    Vec3::new(c.red, c.green, c.blue)
}

/// The look of a scene: location picks the camera, time the light, mood shades it.
pub fn look_for(scene: &CityScene) -> Look {
    // The city lies beyond z = 30, so every viewpoint looks across it toward -z.
    let (eye, target) = match scene.location {
        Location::Apartment => (Vec3::new(30.0, 62.0, 150.0), Vec3::new(0.0, 42.0, -60.0)),
        Location::Office => (Vec3::new(-70.0, 42.0, 125.0), Vec3::new(10.0, 34.0, -80.0)),
        Location::Street => (Vec3::new(0.0, 3.0, 60.0), Vec3::new(0.0, 20.0, -120.0)),
        Location::Subway => (Vec3::new(0.0, 1.4, 75.0), Vec3::new(0.0, 5.0, -60.0)),
        Location::Beach => (Vec3::new(0.0, 6.0, 330.0), Vec3::new(0.0, 32.0, -60.0)),
        Location::Fair => (Vec3::new(95.0, 10.0, 175.0), Vec3::new(0.0, 26.0, -40.0)),
        Location::Restaurant => (Vec3::new(40.0, 12.0, 100.0), Vec3::new(-10.0, 18.0, -40.0)),
        Location::Cabin => (Vec3::new(-210.0, 32.0, 390.0), Vec3::new(0.0, 40.0, -60.0)),
        Location::Rooftop => (Vec3::new(10.0, 96.0, 115.0), Vec3::new(-10.0, 70.0, -100.0)),
    };

    // Sky, fog, sun colour, lux, elevation, ambient, windows.
    let (sky, sun, lux, elevation, ambient, windows) = match scene.time {
        TimeOfDay::Morning => (
            lin(1.0, 0.80, 0.66),
            lin(1.0, 0.82, 0.62),
            9000.0,
            0.35,
            lin(1.0, 0.80, 0.68),
            0.15,
        ),
        TimeOfDay::Day => (
            lin(1.0, 0.88, 0.76),
            lin(1.0, 0.92, 0.80),
            14000.0,
            0.9,
            lin(1.0, 0.88, 0.78),
            0.05,
        ),
        TimeOfDay::GoldenHour => (
            lin(1.0, 0.66, 0.42),
            lin(1.0, 0.70, 0.40),
            10000.0,
            0.18,
            lin(1.0, 0.72, 0.52),
            0.35,
        ),
        TimeOfDay::Dusk => (
            lin(0.86, 0.44, 0.38),
            lin(1.0, 0.45, 0.30),
            3500.0,
            0.05,
            lin(0.85, 0.50, 0.45),
            0.75,
        ),
        TimeOfDay::Night => (
            lin(0.16, 0.06, 0.06),
            lin(0.9, 0.55, 0.40),
            250.0,
            0.6,
            lin(0.55, 0.30, 0.26),
            1.0,
        ),
        TimeOfDay::Dawn => (
            lin(0.96, 0.62, 0.52),
            lin(1.0, 0.66, 0.50),
            5000.0,
            0.08,
            lin(0.95, 0.68, 0.60),
            0.45,
        ),
    };
    let mut look = Look {
        sky,
        fog: sky,
        fog_range: Vec2::new(60.0, 420.0),
        sun,
        sun_lux: lux,
        sun_elevation: elevation,
        ambient,
        ambient_brightness: 320.0,
        windows,
        eye,
        target,
    };
    let grey = |c: Vec3, amount: f32| {
        // Toward a warm grey, never a cold one.
        let l = c.dot(Vec3::new(0.3, 0.59, 0.11));
        c.lerp(Vec3::new(l * 1.05, l, l * 0.92), amount)
    };
    match scene.mood {
        Mood::Warm => {}
        Mood::Tender => {
            look.fog_range = Vec2::new(40.0, 300.0);
            look.sky = look.sky.lerp(lin(1.0, 0.62, 0.52), 0.25);
            look.windows = (look.windows + 0.15).min(1.0);
        }
        Mood::Playful => {
            look.sun_lux *= 1.25;
            look.ambient_brightness *= 1.2;
        }
        Mood::Bright => {
            look.sun_lux *= 1.5;
            look.fog_range = Vec2::new(120.0, 600.0);
        }
        Mood::Lonely => {
            look.sky = grey(look.sky, 0.35);
            look.fog = grey(look.fog, 0.35);
            look.fog_range = Vec2::new(30.0, 260.0);
            look.ambient_brightness *= 0.7;
        }
        Mood::Grey => {
            look.sky = grey(look.sky, 0.75);
            look.fog = grey(look.fog, 0.75);
            look.sun = grey(look.sun, 0.7);
            look.ambient = grey(look.ambient, 0.7);
            look.sun_lux *= 0.6;
        }
        Mood::Dim => {
            look.sun_lux *= 0.45;
            look.ambient_brightness *= 0.5;
            look.sky *= 0.6;
            look.fog *= 0.6;
        }
        Mood::Dark => {
            look.sky = lin(0.05, 0.015, 0.015);
            look.fog = look.sky;
            look.fog_range = Vec2::new(5.0, 90.0);
            look.sun_lux = 0.0;
            look.ambient_brightness = 15.0;
            look.windows *= 0.3;
        }
    }
    look.fog = look.fog.lerp(look.sky, 0.5);
    look
}

/// The scene the story has asked for so far.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct CityScene {
    /// Where.
    pub location: Location,
    /// When.
    pub time: TimeOfDay,
    /// The light's feeling.
    pub mood: Mood,
}

impl Default for CityScene {
    fn default() -> Self {
        // The title screen: the apartment window at dusk.
        CityScene {
            location: Location::Apartment,
            time: TimeOfDay::Dusk,
            mood: Mood::Warm,
        }
    }
}

impl CityScene {
    /// Applies a directive: only what it gives changes.
    pub fn apply(&mut self, d: &SceneDef) {
        if let Some(l) = d.location {
            self.location = l;
        }
        if let Some(t) = d.time {
            self.time = t;
        }
        if let Some(m) = d.mood {
            self.mood = m;
        }
    }
}

/// The look now and the look the city eases toward.
#[derive(Resource, Debug, Clone, Copy)]
pub struct CityLook {
    /// Now.
    pub current: Look,
    /// The goal.
    pub target: Look,
}

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
        ShaderRef::Path("embedded://her/game/city.wgsl".into())
    }
}

/// A surface's material: lit at high detail, flat below it.
#[derive(Clone)]
enum Surface {
    Lit(Handle<StandardMaterial>),
    Flat(Handle<FlatMaterial>),
}

impl Surface {
    /// Gives `entity` this surface.
    fn paint(&self, entity: &mut EntityCommands) {
        match self {
            Surface::Lit(h) => entity.insert(MeshMaterial3d(h.clone())),
            Surface::Flat(h) => entity.insert(MeshMaterial3d(h.clone())),
        };
    }
}

/// The shared materials whose light changes with the time of day.
#[derive(Resource)]
struct CityMaterials {
    windows: Surface,
    street_lights: Handle<StandardMaterial>,
    /// Facades and ground drawn flat (low and medium detail), with their own colours: their
    /// light is baked into the cube's faces and tinted by the time of day here, which costs a
    /// software renderer a fraction of full lighting.
    tinted: Vec<(Handle<FlatMaterial>, Vec3)>,
}

/// Lit windows drawn flat (low and medium detail): dark glass glowing amber as the city lights
/// up. Full lighting with an emissive term costs a software renderer far more, for the same
/// glow after tone mapping.
fn window_glow(windows: f32) -> LinearRgba {
    let glass = Vec3::new(0.10, 0.045, 0.035);
    let c = glass + Vec3::new(1.0, 0.55, 0.25) * windows.clamp(0.0, 1.0) * 1.4;
    LinearRgba::rgb(c.x, c.y, c.z)
}

/// The colour the time of day gives unlit surfaces: sunlight and ambient light, mixed.
fn tint(look: &Look) -> Vec3 {
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

/// One mesh holding a copy of `unit` (an axis-aligned box) at each transform. The transforms
/// only scale and move, so normals stay as they are.
fn merge_boxes(unit: &Mesh, placed: &[Transform]) -> Mesh {
    use bevy::asset::RenderAssetUsages;
    use bevy::mesh::{Indices, PrimitiveTopology, VertexAttributeValues};
    let f3 = |id| match unit.attribute(id) {
        Some(VertexAttributeValues::Float32x3(v)) => v.clone(),
        _ => Vec::new(),
    };
    let positions = f3(Mesh::ATTRIBUTE_POSITION);
    let normals = f3(Mesh::ATTRIBUTE_NORMAL);
    let uvs = match unit.attribute(Mesh::ATTRIBUTE_UV_0) {
        Some(VertexAttributeValues::Float32x2(v)) => v.clone(),
        _ => Vec::new(),
    };
    let colors = match unit.attribute(Mesh::ATTRIBUTE_COLOR) {
        Some(VertexAttributeValues::Float32x4(v)) => Some(v.clone()),
        _ => None,
    };
    let indices: Vec<u32> = unit
        .indices()
        .map(|i| i.iter().map(|i| i as u32).collect())
        .unwrap_or_default();
    let n = positions.len();
    let mut out_pos = Vec::with_capacity(n * placed.len());
    let mut out_idx = Vec::with_capacity(indices.len() * placed.len());
    for (k, t) in placed.iter().enumerate() {
        out_pos.extend(
            positions
                .iter()
                .map(|p| t.transform_point(Vec3::from_array(*p)).to_array()),
        );
        out_idx.extend(indices.iter().map(|i| i + (k * n) as u32));
    }
    let repeat = |v: &[[f32; 3]]| v.repeat(placed.len());
    let mut mesh = Mesh::new(
        PrimitiveTopology::TriangleList,
        RenderAssetUsages::RENDER_WORLD,
    )
    .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, out_pos)
    .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, repeat(&normals))
    .with_inserted_attribute(Mesh::ATTRIBUTE_UV_0, uvs.repeat(placed.len()))
    .with_inserted_indices(Indices::U32(out_idx));
    if let Some(colors) = colors {
        mesh.insert_attribute(Mesh::ATTRIBUTE_COLOR, colors.repeat(placed.len()));
    }
    mesh
}

/// A light moving along a street.
#[derive(Component)]
struct Traveller {
    start: Vec3,
    direction: Vec3,
    length: f32,
    speed: f32,
    phase: f32,
}

/// The sun.
#[derive(Component)]
struct Sun;

/// The camera that drifts.
#[derive(Component)]
pub struct CityCamera;

fn spawn_city(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut flats: ResMut<Assets<FlatMaterial>>,
    settings: Option<Res<Settings>>,
    scene: Res<CityScene>,
    options: Option<Res<super::GameOptions>>,
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
    ground.paint(&mut commands.spawn(Mesh3d(
        meshes.add(Plane3d::default().mesh().size(1200.0, 1200.0)),
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
            material.paint(&mut commands.spawn(Mesh3d(meshes.add(merge_boxes(&unit, placed)))));
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
            Traveller {
                start,
                direction,
                length: 400.0,
                speed: rng.random_range(4.0..14.0),
                phase: rng.random_range(0.0..400.0),
            },
        ));
    }
    commands.insert_resource(CityMaterials {
        windows,
        street_lights,
        tinted,
    });
}

fn sun_direction(elevation: f32) -> Vec3 {
    // The sun sits behind the city, to the west, so the towers are rimmed with light.
    Vec3::new(0.35, -elevation.sin().max(0.02), -elevation.cos()).normalize()
}

/// Takes scene directives from the story.
fn follow_story(
    work: Res<super::WorkMeter>,
    mut changes: MessageReader<SceneChange>,
    mut scene: ResMut<CityScene>,
    mut look: ResMut<CityLook>,
) {
    let _work = work.start();
    for SceneChange(d) in changes.read() {
        scene.apply(d);
        look.target = look_for(&scene);
        if d.cut {
            look.current = look.target;
        }
    }
}

/// The parts of the sun that the look changes.
type SunParts = (&'static mut DirectionalLight, &'static mut Transform);

/// Eases the look toward its target and applies it: sky, fog, sun, ambient, windows, camera.
#[expect(
    clippy::too_many_arguments,
    reason = "one system applies the whole look at once"
)]
fn apply_look(
    work: Res<super::WorkMeter>,
    time: Res<Time>,
    settings: Option<Res<Settings>>,
    mut look: ResMut<CityLook>,
    mut clear: ResMut<ClearColor>,
    mut ambient: ResMut<GlobalAmbientLight>,
    mut camera: Query<(&mut Transform, &mut DistanceFog), With<CityCamera>>,
    mut sun: Query<SunParts, (With<Sun>, Without<CityCamera>)>,
    city: Option<Res<CityMaterials>>,
    (mut materials, mut flats): (
        ResMut<Assets<StandardMaterial>>,
        ResMut<Assets<FlatMaterial>>,
    ),
) {
    let _work = work.start();
    let reduce_motion = settings.as_ref().is_some_and(|s| s.reduce_motion);
    let changing = look.current.distance(&look.target) > 1e-3;
    if changing {
        let dt = time.delta_secs();
        // About three seconds to settle: slow enough to feel, quick enough to follow talk.
        let t = if reduce_motion {
            1.0
        } else {
            1.0 - (-dt * 1.2).exp()
        };
        let target = look.target;
        look.current = look.current.lerp(target, t);
    }
    let l = look.current;
    if changing || look.is_added() {
        clear.0 = Color::linear_rgb(l.sky.x, l.sky.y, l.sky.z);
        ambient.color = Color::linear_rgb(l.ambient.x, l.ambient.y, l.ambient.z);
        ambient.brightness = l.ambient_brightness;
        if let Ok((mut light, mut transform)) = sun.single_mut() {
            light.color = Color::linear_rgb(l.sun.x, l.sun.y, l.sun.z);
            light.illuminance = l.sun_lux;
            *transform = Transform::default().looking_to(sun_direction(l.sun_elevation), Vec3::Y);
        }
        if let Some(city) = &city {
            match &city.windows {
                Surface::Flat(h) => {
                    if let Some(mut m) = flats.get_mut(h) {
                        m.colour = window_glow(l.windows);
                    }
                }
                Surface::Lit(h) => {
                    if let Some(mut m) = materials.get_mut(h) {
                        m.emissive = LinearRgba::rgb(1.0, 0.55, 0.25) * l.windows * 6.0;
                    }
                }
            }
            let t = tint(&l);
            for (handle, base) in &city.tinted {
                if let Some(mut m) = flats.get_mut(handle) {
                    let c = *base * t;
                    m.colour = LinearRgba::rgb(c.x, c.y, c.z);
                }
            }
            if let Some(mut m) = materials.get_mut(&city.street_lights) {
                m.emissive = LinearRgba::rgb(1.0, 0.6, 0.3) * (2.0 + l.windows * 8.0);
            }
        }
    }
    if let Ok((mut transform, mut fog)) = camera.single_mut() {
        // A slow, living camera: a gentle drift around the eased position.
        let drift = if reduce_motion {
            Vec3::ZERO
        } else {
            let s = time.elapsed_secs();
            Vec3::new(
                (s * 0.07).sin() * 3.0,
                (s * 0.05).sin() * 1.2,
                (s * 0.04).cos() * 2.0,
            )
        };
        *transform = Transform::from_translation(l.eye + drift).looking_at(l.target, Vec3::Y);
        if changing {
            fog.color = Color::linear_rgb(l.fog.x, l.fog.y, l.fog.z);
            fog.falloff = FogFalloff::Linear {
                start: l.fog_range.x,
                end: l.fog_range.y,
            };
        }
    }
}

/// Moves the street lights.
fn move_travellers(
    work: Res<super::WorkMeter>,
    time: Res<Time>,
    mut q: Query<(&Traveller, &mut Transform)>,
) {
    let _work = work.start();
    let t = time.elapsed_secs();
    for (tr, mut transform) in &mut q {
        let along = (tr.phase + t * tr.speed) % tr.length;
        transform.translation = tr.start + tr.direction * along;
    }
}

/// The city and its systems.
pub fn plugin(app: &mut App) {
    if app.get_sub_app(RenderApp).is_some() {
        bevy::asset::embedded_asset!(app, "city.wgsl");
        app.add_plugins(MaterialPlugin::<FlatMaterial>::default());
    } else if app.world().contains_resource::<Assets<StandardMaterial>>() {
        // Headless (tests): the materials exist as assets, with nothing to draw them.
        app.init_asset::<FlatMaterial>();
    }
    let scene = CityScene::default();
    let look = look_for(&scene);
    app.insert_resource(scene)
        .insert_resource(CityLook {
            current: look,
            target: look,
        })
        // Drawing needs a renderer; headless tests follow the story without one.
        .add_systems(
            Startup,
            spawn_city.run_if(
                resource_exists::<Assets<StandardMaterial>>
                    .and_then(resource_exists::<Assets<FlatMaterial>>),
            ),
        )
        .add_systems(
            Update,
            (
                follow_story,
                (apply_look, move_travellers).run_if(resource_exists::<CityMaterials>),
            )
                .chain()
                .in_set(GameSet::UpdateScene),
        );
}
