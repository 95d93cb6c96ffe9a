//! The city: a procedural, seeded skyline in the film's palette (reds, corals, peach, amber,
//! cream; no blue anywhere), lit by the time of day and the mood the story asks for. Cheap to
//! draw: the static skyline is merged into one mesh per material, so the whole city is a few
//! draw calls; below high detail its surfaces use a flat material of our own (`city.wgsl`:
//! colour, baked shade, fog, tone mapping) instead of Bevy's full PBR shader, which a software
//! renderer pays for on every pixel; nothing allocates per frame.
//!
//! Here: the look each scene asks for (`look_for`), the scene the story has set, and the systems
//! that ease the city toward it; `skyline` builds the meshes and materials.

use bevy::camera::ClearColor;
use bevy::light::{DirectionalLight, GlobalAmbientLight};
use bevy::pbr::{DistanceFog, FogFalloff, MaterialPlugin};
use bevy::prelude::*;
use bevy::render::RenderApp;

mod skyline;

use super::GameSet;
use super::runner::SceneChange;
use super::settings::Settings;
use crate::story::format::{Location, Mood, SceneDef, TimeOfDay};
pub use skyline::{CityCamera, FlatMaterial};
use skyline::{CityMaterials, Sun, Surface, Traveller, spawn_city, tint, window_glow};

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
