//! The places the story goes: each its own composition of simple shapes (seeded, no assets),
//! built once at start and shown one at a time. The apartment and the office, the restaurant
//! and the cabin are rooms whose windows frame the city; the street, the fair and the beach are
//! open and peopled; the subway is a platform under the ground with its train; the rooftop
//! looks across the skyline at eye level.
//!
//! Every place is one parent entity (`Place`) whose visibility the fade between places turns
//! on and off. Its static props are merged per surface (one mesh lit by the time of day, one
//! for its lights); what moves (the wheel, the carousel, the train, the waves, the snow) is a
//! few entities with a `Motion`. Named props carry a `Prop`, so tests can find the wheel at the
//! fair and the sea at the beach.
//!
//! Here: what a place is, where it stands and how its parts move; `rooms` builds the four rooms,
//! `outdoors` the open places, and `people` their crowds.

use bevy::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

mod outdoors;
mod rooms;

use super::kit::{Kit, Shapes};
use super::people::{Figures, place_crowd};
use super::skyline::{FlatMaterial, Surface};
use crate::story::format::Location;

/// Every place, in the story's order of first visit (and the order of a contact sheet).
pub const PLACES: [Location; 9] = [
    Location::Apartment,
    Location::Office,
    Location::Street,
    Location::Subway,
    Location::Beach,
    Location::Fair,
    Location::Restaurant,
    Location::Cabin,
    Location::Rooftop,
];

/// A place's name in lower case, for screenshots (`place-beach.png`) and logs.
pub fn place_name(place: Location) -> &'static str {
    match place {
        Location::Apartment => "apartment",
        Location::Office => "office",
        Location::Street => "street",
        Location::Subway => "subway",
        Location::Beach => "beach",
        Location::Fair => "fair",
        Location::Restaurant => "restaurant",
        Location::Cabin => "cabin",
        Location::Rooftop => "rooftop",
    }
}

/// A place's photograph in a contact sheet (`her --autoplay --screenshots`).
pub fn photo_name(place: Location) -> &'static str {
    match place {
        Location::Apartment => "place-apartment",
        Location::Office => "place-office",
        Location::Street => "place-street",
        Location::Subway => "place-subway",
        Location::Beach => "place-beach",
        Location::Fair => "place-fair",
        Location::Restaurant => "place-restaurant",
        Location::Cabin => "place-cabin",
        Location::Rooftop => "place-rooftop",
    }
}

/// The root of a place's composition: shown only while the story is there.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place(pub Location);

/// The things a player names a place by.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prop {
    /// The apartment's walls, floor and ceiling.
    Room,
    /// A window framing the city (the apartment, the office, the restaurant, the cabin).
    Window,
    /// The apartment's desk, where he writes, and its lamp.
    Desk,
    /// The apartment's bed, in the dark.
    Bed,
    /// The office's partitions in red and coral, and its desks.
    Partitions,
    /// Shopfronts along the street.
    Shopfronts,
    /// Street lamps.
    Lamps,
    /// The zebra crossing.
    Crossing,
    /// The subway platform and its tunnel.
    Platform,
    /// The train, arriving and leaving.
    Train,
    /// The sand.
    Sand,
    /// The sea.
    Sea,
    /// A wave running in.
    Wave,
    /// Beach umbrellas.
    Umbrellas,
    /// The Ferris wheel.
    Wheel,
    /// One of its gondolas.
    Gondola,
    /// The carousel.
    Carousel,
    /// Strings of lights.
    StringLights,
    /// The restaurant's table by the window.
    Table,
    /// The cabin's fire.
    Fireplace,
    /// Snow outside.
    Snow,
    /// A snowflake falling.
    Snowflake,
    /// The rooftop's parapet.
    Parapet,
}

/// How something in a place moves; one system moves them all.
#[derive(Component, Debug, Clone, Copy)]
pub enum Motion {
    /// Turns about `axis` at `speed` radians a second.
    Spin {
        /// The axis (unit).
        axis: Vec3,
        /// Radians a second.
        speed: f32,
    },
    /// Goes round a circle in the xy plane (a gondola, hanging level).
    Orbit {
        /// The wheel's centre.
        centre: Vec3,
        /// Its radius.
        radius: f32,
        /// Radians a second (the wheel's).
        speed: f32,
        /// The angle at time zero.
        phase: f32,
    },
    /// The train: arrives from far along -z, stops, leaves along +z, is gone a while.
    Shuttle {
        /// Seconds for the whole round.
        period: f32,
    },
    /// A wave runs in from `far` to `near` (z) and sinks into the shore.
    Wave {
        /// Where it starts.
        far: f32,
        /// Where it ends, at the shore.
        near: f32,
        /// Seconds to run in.
        period: f32,
        /// Seconds into its run at time zero.
        phase: f32,
    },
    /// Falls from `top`, `drop` metres, drifting.
    Fall {
        /// Where it starts.
        top: Vec3,
        /// How far it falls before starting again.
        drop: f32,
        /// Metres a second.
        speed: f32,
        /// Seconds into the fall at time zero.
        phase: f32,
    },
}

/// Where a place is in the world and where its camera stands and looks (in the place's frame).
struct Stage {
    origin: Vec3,
    eye: Vec3,
    target: Vec3,
}

fn stage(place: Location) -> Stage {
    // Rooms float at a storey's height in front of the city, so their windows frame it; the
    // cabin stands far from it, facing away; the subway is enclosed.
    let (origin, eye, target) = match place {
        // From the door, a little above head height: the desk, the window and the bed in the
        // upper part of the frame, above the dialogue box.
        Location::Apartment => (
            Vec3::new(20.0, 75.0, 190.0),
            Vec3::new(1.0, 2.5, 2.6),
            Vec3::new(-0.3, 0.2, -3.4),
        ),
        Location::Office => (
            Vec3::new(-60.0, 40.0, 100.0),
            Vec3::new(7.5, 2.2, 5.2),
            Vec3::new(-1.5, 1.25, -6.0),
        ),
        Location::Street => (
            Vec3::new(0.0, 0.0, 40.0),
            Vec3::new(4.6, 1.7, 40.0),
            Vec3::new(-1.0, 4.5, -60.0),
        ),
        Location::Subway => (
            Vec3::new(300.0, 0.0, 300.0),
            Vec3::new(5.2, 2.6, 16.0),
            Vec3::new(-1.2, 1.6, -30.0),
        ),
        Location::Beach => (
            Vec3::new(0.0, 0.0, 420.0),
            Vec3::new(3.0, 20.0, 40.0),
            Vec3::new(0.0, -24.0, -100.0),
        ),
        Location::Fair => (
            Vec3::new(140.0, 0.0, 160.0),
            Vec3::new(5.0, 1.7, 8.0),
            Vec3::new(-3.0, 11.0, -22.0),
        ),
        Location::Restaurant => (
            Vec3::new(-120.0, 45.0, 190.0),
            Vec3::new(0.6, 1.3, 0.2),
            Vec3::new(0.4, 0.85, -4.0),
        ),
        Location::Cabin => (
            Vec3::new(0.0, 0.0, -720.0),
            Vec3::new(1.7, 1.5, 2.4),
            Vec3::new(-1.4, 1.25, -3.0),
        ),
        Location::Rooftop => (
            Vec3::new(10.0, 90.0, 110.0),
            Vec3::new(2.0, 1.3, -4.0),
            Vec3::new(-5.0, 1.9, -40.0),
        ),
    };
    Stage {
        origin,
        eye,
        target,
    }
}

/// Where the camera stands and looks at a place, in the world.
pub fn viewpoint(place: Location) -> (Vec3, Vec3) {
    let s = stage(place);
    (s.origin + s.eye, s.origin + s.target)
}

/// Whether the skyline can be seen from a place (not underground, not from the cabin, which
/// faces away from it): where it cannot, it is not drawn.
pub fn sees_skyline(place: Location) -> bool {
    !matches!(place, Location::Subway | Location::Cabin)
}

// The palette (sRGB): the film's reds, corals, peach, cream, mustard and browns.
const RED: (f32, f32, f32) = (0.72, 0.2, 0.16);
const CORAL: (f32, f32, f32) = (0.95, 0.5, 0.4);
const PEACH: (f32, f32, f32) = (0.98, 0.75, 0.6);
const CREAM: (f32, f32, f32) = (0.96, 0.88, 0.76);
const MUSTARD: (f32, f32, f32) = (0.86, 0.62, 0.26);
const BROWN: (f32, f32, f32) = (0.38, 0.2, 0.14);
const DARK: (f32, f32, f32) = (0.16, 0.08, 0.07);
const WOOD: (f32, f32, f32) = (0.55, 0.3, 0.19);
const LAMP: (f32, f32, f32) = (1.0, 0.8, 0.52);
const EMBER: (f32, f32, f32) = (1.0, 0.5, 0.22);

/// What every place is built with.
pub(super) struct Materials<'a> {
    /// Outdoor surfaces, lit by the time of day.
    pub(super) outdoor: &'a Surface,
    /// Rooms: the time of day's light through the window, and lamps at night.
    pub(super) indoor: &'a Surface,
    /// Lights.
    pub(super) glow: &'a Handle<FlatMaterial>,
}

/// Builds every place, hidden; the fade shows the one the story is at.
pub(super) fn spawn_places(
    commands: &mut Commands,
    meshes: &mut Assets<Mesh>,
    materials: &Materials,
    bake: bool,
    seed: u64,
) {
    let shapes = Shapes::new();
    let figures = Figures::new(&shapes, bake, meshes);
    for (i, place) in PLACES.into_iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(i as u64 * 7919));
        let s = stage(place);
        let surface = if matches!(
            place,
            Location::Apartment
                | Location::Office
                | Location::Restaurant
                | Location::Cabin
                | Location::Subway
        ) {
            materials.indoor
        } else {
            materials.outdoor
        };
        let mut b = Builder {
            shapes: &shapes,
            bake,
            meshes,
            parts: Vec::new(),
        };
        build(place, &mut b, &mut rng);
        let parts = b.parts;
        commands
            .spawn((
                Place(place),
                Transform::from_translation(s.origin),
                Visibility::Hidden,
            ))
            .with_children(|p| {
                for part in parts {
                    let mut holder = p.spawn((part.at, Visibility::Inherited));
                    if let Some(prop) = part.prop {
                        holder.insert(prop);
                    }
                    if let Some(motion) = part.motion {
                        holder.insert(motion);
                    }
                    holder.with_children(|h| {
                        if let Some(mesh) = part.lit {
                            let mut e = h.spawn(Mesh3d(mesh));
                            surface.paint(&mut e);
                        }
                        if let Some(mesh) = part.glow {
                            h.spawn((Mesh3d(mesh), MeshMaterial3d(materials.glow.clone())));
                        }
                    });
                }
                place_crowd(place, p, &figures, surface, materials.glow, &mut rng);
            });
    }
}

/// One part of a place: its meshes, where it stands, what it is and how it moves.
struct Part {
    lit: Option<Handle<Mesh>>,
    glow: Option<Handle<Mesh>>,
    at: Transform,
    prop: Option<Prop>,
    motion: Option<Motion>,
}

/// Collects a place's parts.
struct Builder<'a> {
    shapes: &'a Shapes,
    bake: bool,
    meshes: &'a mut Assets<Mesh>,
    parts: Vec<Part>,
}

impl<'a> Builder<'a> {
    /// A fresh kit to build one part with.
    fn kit(&self) -> Kit<'a> {
        Kit::new(self.shapes, self.bake)
    }

    /// Adds a built part; its index, for copies.
    fn part(
        &mut self,
        kit: Kit,
        at: Transform,
        prop: Option<Prop>,
        motion: Option<Motion>,
    ) -> usize {
        let (lit, glow) = kit.finish();
        self.parts.push(Part {
            lit: lit.map(|m| self.meshes.add(m)),
            glow: glow.map(|m| self.meshes.add(m)),
            at,
            prop,
            motion,
        });
        self.parts.len() - 1
    }

    /// Another of part `of` elsewhere, sharing its meshes: the renderer draws copies of one
    /// mesh in one material as one instanced batch (gondolas, waves, snowflakes).
    fn copy(&mut self, of: usize, at: Transform, prop: Option<Prop>, motion: Option<Motion>) {
        let (lit, glow) = (self.parts[of].lit.clone(), self.parts[of].glow.clone());
        self.parts.push(Part {
            lit,
            glow,
            at,
            prop,
            motion,
        });
    }

    /// Adds a part that stands still where it was built.
    fn still(&mut self, kit: Kit, prop: Prop) {
        self.part(kit, Transform::IDENTITY, Some(prop), None);
    }
}

/// Adds the part the first time, a copy sharing its meshes after.
fn add_or_copy(
    b: &mut Builder,
    first: &mut Option<usize>,
    kit: Kit,
    at: Transform,
    prop: Option<Prop>,
    motion: Option<Motion>,
) {
    match *first {
        Some(of) => b.copy(of, at, prop, motion),
        None => *first = Some(b.part(kit, at, prop, motion)),
    }
}

fn build(place: Location, b: &mut Builder, rng: &mut ChaCha8Rng) {
    match place {
        Location::Apartment => rooms::apartment(b),
        Location::Office => rooms::office(b),
        Location::Street => outdoors::street(b, rng),
        Location::Subway => outdoors::subway(b),
        Location::Beach => outdoors::beach(b, rng),
        Location::Fair => outdoors::fair(b),
        Location::Restaurant => rooms::restaurant(b),
        Location::Cabin => rooms::cabin(b, rng),
        Location::Rooftop => outdoors::rooftop(b),
    }
}

/// A point, briefly: the places are written as many coordinates.
pub(super) fn v(x: f32, y: f32, z: f32) -> Vec3 {
    Vec3::new(x, y, z)
}

/// A rusty red, for the wheel's legs.
const RUST: (f32, f32, f32) = (0.6, 0.28, 0.18);

/// Moves what moves: the wheel and its gondolas, the carousel, the train, the waves, the snow.
pub(super) fn animate(
    work: Res<crate::game::WorkMeter>,
    time: Res<Time>,
    mut moving: Query<(&Motion, &mut Transform)>,
) {
    let _work = work.start();
    let t = time.elapsed_secs();
    for (motion, mut transform) in &mut moving {
        match *motion {
            Motion::Spin { axis, speed } => {
                transform.rotation = Quat::from_axis_angle(axis, t * speed);
            }
            Motion::Orbit {
                centre,
                radius,
                speed,
                phase,
            } => {
                let a = phase + t * speed;
                transform.translation = centre + v(a.cos(), a.sin(), 0.0) * radius;
            }
            Motion::Shuttle { period } => {
                transform.translation.z = shuttle(t % period, period);
            }
            Motion::Wave {
                far,
                near,
                period,
                phase,
            } => {
                let u = ((t + phase) % period) / period;
                // Slowing as it comes in, then sinking into the sand.
                let eased = 1.0 - (1.0 - u) * (1.0 - u);
                transform.translation.z = far + (near - far) * eased;
                transform.translation.y = 0.1 - (u - 0.8).max(0.0) * 0.6;
            }
            Motion::Fall {
                top,
                drop,
                speed,
                phase,
            } => {
                let fallen = ((t + phase) * speed) % drop;
                let drift = ((t + phase) * 0.8).sin() * 0.3;
                transform.translation = top + v(drift, -fallen, drift * 0.5);
            }
        }
    }
}

/// Where the train is (z) at `t` seconds into its round: in from the far tunnel, easing to a
/// stop at the platform, standing, then away past the camera, then gone.
fn shuttle(t: f32, period: f32) -> f32 {
    // In, at the platform for most of the round, out, then gone a moment.
    let (arrive, stand, leave) = (0.15 * period, 0.65 * period, 0.12 * period);
    if t < arrive {
        let u = 1.0 - t / arrive;
        -190.0 * u * u
    } else if t < arrive + stand {
        0.0
    } else if t < arrive + stand + leave {
        let u = (t - arrive - stand) / leave;
        200.0 * u * u
    } else {
        -400.0
    }
}
