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

mod kit;
mod people;
pub mod places;
mod sky;
mod skyline;

use super::GameSet;
use super::runner::SceneChange;
use super::settings::Settings;
use crate::story::format::{Location, Mood, SceneDef, TimeOfDay};
pub use people::{Walker, crowd};
pub use places::{Motion, PLACES, Place, Prop, photo_name, place_name, viewpoint};
pub use sky::{Sky, SkyMaterial};
pub use skyline::{CityCamera, FlatMaterial, Skyline};
use skyline::{
    CityMaterials, Sun, Surface, Traveller, glow_light, indoor_light, spawn_city, tint, window_glow,
};

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
    /// The sky overhead, linear (`sky` is its colour at the horizon).
    pub zenith: Vec3,
    /// The sun's or the moon's disc, linear.
    pub disc: Vec3,
    /// The disc's height above the horizon (radians).
    pub disc_elevation: f32,
    /// The disc's angular radius (radians).
    pub disc_size: f32,
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
            zenith: self.zenith.lerp(to.zenith, t),
            disc: self.disc.lerp(to.disc, t),
            disc_elevation: self.disc_elevation + (to.disc_elevation - self.disc_elevation) * t,
            disc_size: self.disc_size + (to.disc_size - self.disc_size) * t,
        }
    }

    fn distance(&self, to: &Look) -> f32 {
        (self.sky - to.sky).length()
            + (self.eye - to.eye).length() * 0.01
            + (self.target - to.target).length() * 0.01
            + (self.windows - to.windows).abs()
            + (self.sun_lux - to.sun_lux).abs() * 1e-4
            + (self.zenith - to.zenith).length()
            + (self.disc - to.disc).length()
            + (self.disc_elevation - to.disc_elevation).abs()
    }
}

/// An sRGB colour as a linear vector.
fn lin(r: f32, g: f32, b: f32) -> Vec3 {
    let c = Color::srgb(r, g, b).to_linear();
    Vec3::new(c.red, c.green, c.blue)
}

/// The look of a scene: location picks the camera, time the light, mood shades it.
pub fn look_for(scene: &CityScene) -> Look {
    // Each place has its own composition and its own camera (`places`).
    let (eye, target) = viewpoint(scene.location);

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
    // Overhead, and the disc in the haze: a low, large, hot sun at golden hour; a pale moon.
    let (zenith, disc, disc_elevation, disc_size) = match scene.time {
        TimeOfDay::Morning => (lin(0.98, 0.74, 0.62), lin(1.0, 0.9, 0.72), 0.3, 0.03),
        TimeOfDay::Day => (lin(0.97, 0.78, 0.66), lin(1.0, 0.95, 0.85), 0.9, 0.03),
        TimeOfDay::GoldenHour => (lin(0.9, 0.46, 0.34), lin(1.0, 0.74, 0.4), 0.07, 0.045),
        TimeOfDay::Dusk => (lin(0.46, 0.18, 0.2), lin(1.0, 0.5, 0.3), -0.03, 0.05),
        TimeOfDay::Night => (lin(0.06, 0.02, 0.025), lin(0.95, 0.86, 0.72), 0.42, 0.022),
        TimeOfDay::Dawn => (lin(0.72, 0.46, 0.44), lin(1.0, 0.8, 0.6), 0.04, 0.04),
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
        zenith,
        disc,
        disc_elevation,
        disc_size,
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
            look.zenith = grey(look.zenith, 0.35);
            look.sky = grey(look.sky, 0.35);
            look.fog = grey(look.fog, 0.35);
            look.fog_range = Vec2::new(30.0, 260.0);
            look.ambient_brightness *= 0.7;
        }
        Mood::Grey => {
            look.zenith = grey(look.zenith, 0.75);
            look.disc = grey(look.disc, 0.75);
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
            look.zenith *= 0.6;
            look.disc *= 0.7;
            look.fog *= 0.6;
        }
        Mood::Dark => {
            look.sky = lin(0.05, 0.015, 0.015);
            look.zenith = look.sky;
            look.disc = look.sky;
            look.fog = look.sky;
            look.fog_range = Vec2::new(5.0, 90.0);
            look.sun_lux = 0.0;
            look.ambient_brightness = 15.0;
            look.windows *= 0.3;
        }
    }
    look.fog = look.fog.lerp(look.sky, 0.5);
    if scene.mood != Mood::Dark {
        // Places see different distances: the beach across the bay to the city, the cabin a
        // little way into the snow, the subway to the dark of its tunnels.
        match scene.location {
            Location::Beach => look.fog_range *= 1.9,
            Location::Cabin => look.fog_range *= 0.6,
            Location::Subway => {
                look.fog = look.sky * 0.08;
                look.fog_range = Vec2::new(25.0, 190.0);
            }
            _ => {}
        }
    }
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
    /// The place on screen: the story's place once the fade has reached the haze.
    pub shown: Location,
    /// How far the haze hides the picture, 0 (clear) to 1 (all haze): going from one place to
    /// the next, the picture fades into the haze, the place changes, and it clears.
    pub haze: f32,
}

impl CityLook {
    /// Whether the picture has arrived where the story is: the place shown, the haze gone and
    /// the light nearly settled (screenshots wait for this).
    pub fn settled(&self, scene: &CityScene) -> bool {
        self.shown == scene.location
            && self.haze == 0.0
            && self.current.distance(&self.target) < 0.03
    }
}

/// Seconds for the picture to fade into the haze, and to clear from it.
const FADE_OUT: f32 = 0.9;
const FADE_IN: f32 = 1.3;

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
            // A cut: the new place and its light at once, no haze.
            look.current = look.target;
            look.shown = scene.location;
            look.haze = 0.0;
        }
    }
}

/// The parts of the sun that the look changes.
type SunParts = (&'static mut DirectionalLight, &'static mut Transform);

/// The parts of the camera that the look changes.
type CameraParts = (&'static mut Transform, &'static mut DistanceFog);

/// The materials the look repaints: lit, flat, and the sky's.
type CityAssets<'w> = (
    ResMut<'w, Assets<StandardMaterial>>,
    ResMut<'w, Assets<FlatMaterial>>,
    ResMut<'w, Assets<SkyMaterial>>,
);

/// The sky's sphere, following the camera.
type SkyFilter = (With<Sky>, Without<CityCamera>, Without<Sun>);

/// Eases the look toward its target and applies it: sky, fog, sun, ambient, windows, camera.
/// Between places the picture fades into the haze, the place changes behind it, and it clears.
#[expect(
    clippy::too_many_arguments,
    reason = "one system applies the whole look at once"
)]
fn apply_look(
    work: Res<super::WorkMeter>,
    time: Res<Time>,
    settings: Option<Res<Settings>>,
    scene: Res<CityScene>,
    mut look: ResMut<CityLook>,
    (mut clear, mut ambient): (ResMut<ClearColor>, ResMut<GlobalAmbientLight>),
    mut camera: Query<CameraParts, With<CityCamera>>,
    mut sun: Query<SunParts, (With<Sun>, Without<CityCamera>)>,
    mut sky: Query<&mut Transform, SkyFilter>,
    city: Option<Res<CityMaterials>>,
    (mut materials, mut flats, mut skies): CityAssets,
) {
    let _work = work.start();
    let reduce_motion = settings.as_ref().is_some_and(|s| s.reduce_motion);
    let dt = time.delta_secs();
    let moving_place = look.shown != scene.location;
    let fading = moving_place || look.haze > 0.0;
    if moving_place {
        look.haze = if reduce_motion {
            1.0
        } else {
            (look.haze + dt / FADE_OUT).min(1.0)
        };
        if look.haze >= 1.0 {
            // All haze: the place changes behind it, and the camera with it.
            look.shown = scene.location;
            look.current.eye = look.target.eye;
            look.current.target = look.target.target;
            if reduce_motion {
                // No fade at all for players who asked for less motion: a cut.
                look.haze = 0.0;
            }
        }
    } else if look.haze > 0.0 {
        look.haze = if reduce_motion {
            0.0
        } else {
            (look.haze - dt / FADE_IN).max(0.0)
        };
    }
    let changing = look.current.distance(&look.target) > 1e-3;
    if changing {
        // About three seconds to settle: slow enough to feel, quick enough to follow talk.
        let t = if reduce_motion {
            1.0
        } else {
            1.0 - (-dt * 1.2).exp()
        };
        let mut target = look.target;
        if look.shown != scene.location {
            // The camera stays in the old place until the haze hides the move.
            target.eye = look.current.eye;
            target.target = look.current.target;
        }
        look.current = look.current.lerp(target, t);
    }
    let l = look.current;
    // The haze eases in and out (smoothstep), so the fade has no edges.
    let haze = look.haze * look.haze * (3.0 - 2.0 * look.haze);
    let repaint = changing || fading || look.is_added();
    if repaint {
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
            if let Some(h) = &city.indoor
                && let Some(mut m) = flats.get_mut(h)
            {
                m.colour = indoor_light(&l);
            }
            if let Some(mut m) = flats.get_mut(&city.glow) {
                m.colour = glow_light(&l);
            }
            if let Some(mut m) = skies.get_mut(&city.sky) {
                sky::paint_sky(&mut m, &l, haze);
            }
            if let Some(mut m) = materials.get_mut(&city.street_lights) {
                m.emissive = LinearRgba::rgb(1.0, 0.6, 0.3) * (2.0 + l.windows * 8.0);
            }
        }
    }
    if let Ok((mut transform, mut fog)) = camera.single_mut() {
        // A slow, living camera: a gentle drift around the eased position, small indoors.
        let drift = if reduce_motion {
            Vec3::ZERO
        } else {
            let s = time.elapsed_secs();
            let reach = (l.eye - l.target).length().clamp(4.0, 40.0) / 40.0;
            Vec3::new(
                (s * 0.07).sin() * 3.0,
                (s * 0.05).sin() * 1.2,
                (s * 0.04).cos() * 2.0,
            ) * reach
                * 0.35
        };
        *transform = Transform::from_translation(l.eye + drift).looking_at(l.target, Vec3::Y);
        if let Ok(mut sky) = sky.single_mut() {
            sky.translation = transform.translation;
        }
        if repaint {
            // Into the haze: the fog closes in to the camera and takes the horizon's colour.
            let colour = l.fog.lerp(l.sky, haze);
            fog.color = Color::linear_rgb(colour.x, colour.y, colour.z);
            fog.falloff = FogFalloff::Linear {
                start: l.fog_range.x * (1.0 - haze),
                end: l.fog_range.y + (0.5 - l.fog_range.y) * haze,
            };
        }
    }
}

/// Shows the place on screen and hides the others; the skyline only where it can be seen.
fn show_place(
    look: Res<CityLook>,
    mut was: Local<Option<Location>>,
    mut places: Query<(&Place, &mut Visibility), Without<Skyline>>,
    mut skyline: Query<&mut Visibility, (With<Skyline>, Without<Place>)>,
) {
    if *was == Some(look.shown) {
        return;
    }
    *was = Some(look.shown);
    for (place, mut visibility) in &mut places {
        visibility.set_if_neq(if place.0 == look.shown {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        });
    }
    let skyline_shown = places::sees_skyline(look.shown);
    for mut visibility in &mut skyline {
        visibility.set_if_neq(if skyline_shown {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        });
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
        bevy::asset::embedded_asset!(app, "sky.wgsl");
        app.add_plugins((
            MaterialPlugin::<FlatMaterial>::default(),
            MaterialPlugin::<SkyMaterial>::default(),
        ));
    } else if app.world().contains_resource::<Assets<StandardMaterial>>() {
        // Headless (tests): the materials exist as assets, with nothing to draw them.
        app.init_asset::<FlatMaterial>().init_asset::<SkyMaterial>();
    }
    let scene = CityScene::default();
    let look = look_for(&scene);
    app.insert_resource(scene)
        .insert_resource(CityLook {
            current: look,
            target: look,
            shown: scene.location,
            haze: 0.0,
        })
        // Drawing needs a renderer; headless tests follow the story without one.
        .add_systems(
            Startup,
            spawn_city.run_if(
                resource_exists::<Assets<StandardMaterial>>
                    .and_then(resource_exists::<Assets<FlatMaterial>>)
                    .and_then(resource_exists::<Assets<SkyMaterial>>),
            ),
        )
        .add_systems(
            Update,
            (
                follow_story,
                (
                    apply_look,
                    show_place,
                    move_travellers,
                    places::animate,
                    people::walk,
                    people::gather,
                )
                    .chain()
                    .run_if(resource_exists::<CityMaterials>),
            )
                .chain()
                .in_set(GameSet::UpdateScene),
        );
}
