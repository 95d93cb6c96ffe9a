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

use bevy::prelude::*;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

use super::kit::{Kit, Shapes};
use super::people::{Figures, spawn_crowd};
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
        Location::Apartment => (
            Vec3::new(20.0, 75.0, 190.0),
            Vec3::new(1.3, 1.6, 2.0),
            Vec3::new(-0.7, 0.9, -3.5),
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
                crowd(place, p, &figures, surface, materials.glow, &mut rng);
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
        Location::Apartment => apartment(b),
        Location::Office => office(b),
        Location::Street => street(b, rng),
        Location::Subway => subway(b),
        Location::Beach => beach(b, rng),
        Location::Fair => fair(b, rng),
        Location::Restaurant => restaurant(b),
        Location::Cabin => cabin(b, rng),
        Location::Rooftop => rooftop(b),
    }
}

fn v(x: f32, y: f32, z: f32) -> Vec3 {
    Vec3::new(x, y, z)
}

/// A room's shell: floor, ceiling, three walls and a window wall at `-depth` with an opening
/// (x from `-half_w` to `half_w`, y from `sill` to `head`), framed by mullions `panes` across.
#[expect(clippy::too_many_arguments, reason = "a room is its sizes and colours")]
fn room(
    b: &mut Builder,
    size: Vec3,
    window: (f32, f32, f32),
    panes: usize,
    wall: (f32, f32, f32),
    floor: (f32, f32, f32),
    ceiling: (f32, f32, f32),
    frame: (f32, f32, f32),
) {
    let (w, h, d) = (size.x / 2.0, size.y, size.z / 2.0);
    let (half_w, sill, head) = window;
    let mut k = b.kit();
    k.slab(v(-w, -0.1, -d), v(w, 0.0, d), floor);
    k.slab(v(-w, h, -d), v(w, h + 0.1, d), ceiling);
    k.slab(v(-w, 0.0, d), v(w, h, d + 0.1), wall);
    k.slab(v(-w - 0.1, 0.0, -d), v(-w, h, d), wall);
    k.slab(v(w, 0.0, -d), v(w + 0.1, h, d), wall);
    // The window wall, around its opening.
    k.slab(v(-w, 0.0, -d - 0.1), v(w, sill, -d), wall);
    k.slab(v(-w, head, -d - 0.1), v(w, h, -d), wall);
    k.slab(v(-w, sill, -d - 0.1), v(-half_w, head, -d), wall);
    k.slab(v(half_w, sill, -d - 0.1), v(w, head, -d), wall);
    b.still(k, Prop::Room);
    let mut k = b.kit();
    for i in 0..=panes {
        let x = -half_w + 2.0 * half_w * i as f32 / panes as f32;
        k.slab(
            v(x - 0.05, sill, -d - 0.08),
            v(x + 0.05, head, -d + 0.02),
            frame,
        );
    }
    k.slab(
        v(-half_w, sill - 0.05, -d - 0.1),
        v(half_w, sill, -d + 0.18),
        frame,
    );
    k.slab(
        v(-half_w, head - 0.06, -d - 0.08),
        v(half_w, head, -d + 0.02),
        frame,
    );
    b.still(k, Prop::Window);
}

fn apartment(b: &mut Builder) {
    let wall = (0.86, 0.5, 0.4);
    room(
        b,
        v(8.0, 3.0, 7.0),
        (2.8, 0.7, 2.6),
        3,
        wall,
        (0.45, 0.24, 0.16),
        PEACH,
        BROWN,
    );
    let mut k = b.kit();
    // A transom across the window, curtains at its sides, a rug, a picture.
    k.slab(v(-2.8, 1.98, -3.58), v(2.8, 2.04, -3.48), BROWN);
    k.slab(v(-3.5, 0.1, -3.45), v(-2.7, 2.9, -3.3), CORAL);
    k.slab(v(2.7, 0.1, -3.45), v(3.5, 2.9, -3.3), CORAL);
    k.slab(v(-1.6, 0.0, -1.6), v(1.4, 0.02, 1.0), (0.75, 0.35, 0.3));
    k.slab(v(-4.0, 1.3, 0.4), v(-3.95, 2.2, 1.7), MUSTARD);
    k.slab(v(-3.95, 1.4, 0.5), v(-3.93, 2.1, 1.6), (0.9, 0.6, 0.45));
    b.still(k, Prop::Room);
    // The desk under the window where he writes: the lamp, the page, the chair.
    let mut k = b.kit();
    k.slab(v(-3.3, 0.72, -3.3), v(-0.9, 0.78, -2.45), WOOD);
    for (x, z) in [(-3.2, -3.2), (-1.0, -3.2), (-3.2, -2.55), (-1.0, -2.55)] {
        k.slab(
            v(x - 0.04, 0.0, z - 0.04),
            v(x + 0.04, 0.72, z + 0.04),
            BROWN,
        );
    }
    k.slab(v(-2.2, 0.78, -3.0), v(-1.6, 0.79, -2.65), CREAM);
    k.slab(v(-2.3, 0.45, -2.2), v(-1.7, 0.5, -1.6), RED);
    k.slab(v(-2.3, 0.5, -1.65), v(-1.7, 1.05, -1.6), RED);
    k.slab(
        v(-2.28, 0.0, -2.18),
        v(-1.72, 0.45, -1.62),
        (0.45, 0.14, 0.11),
    );
    k.column(v(-2.95, 0.78, -2.95), 0.1, 0.04, BROWN);
    k.beam(v(-2.95, 0.8, -2.95), v(-2.95, 1.25, -2.95), 0.03, BROWN);
    k.bulb(v(-2.95, 1.32, -2.95), 0.17, LAMP);
    b.still(k, Prop::Desk);
    // His bed against the right wall, in the dark of the room.
    let mut k = b.kit();
    k.slab(v(1.6, 0.0, -3.0), v(3.95, 0.35, -0.6), BROWN);
    k.slab(v(1.65, 0.35, -2.95), v(3.9, 0.55, -0.65), (0.55, 0.3, 0.3));
    k.slab(v(1.65, 0.55, -2.95), v(3.1, 0.6, -0.65), (0.5, 0.15, 0.14));
    k.slab(v(3.25, 0.55, -2.7), v(3.8, 0.7, -0.9), CREAM);
    k.slab(v(3.9, 0.0, -3.0), v(4.0, 1.1, -0.6), BROWN);
    k.slab(v(3.4, 0.0, 0.0), v(3.95, 0.5, 0.5), WOOD);
    b.still(k, Prop::Bed);
}

fn office(b: &mut Builder) {
    room(
        b,
        v(20.0, 3.4, 12.0),
        (10.0, 0.4, 3.2),
        8,
        (0.92, 0.56, 0.45),
        (0.82, 0.62, 0.5),
        (0.95, 0.85, 0.75),
        (0.35, 0.18, 0.14),
    );
    let mut k = b.kit();
    for x in [-8.0, -4.0, 0.0, 4.0, 8.0] {
        k.light(v(x, 3.37, 0.0), v(0.3, 0.04, 10.0), (1.0, 0.88, 0.7));
    }
    for x in [-5.0, 5.0] {
        k.column(v(x, 0.0, -5.2), 0.3, 3.4, CREAM);
    }
    // Partitions in red and coral round each pod of desks, a warm screen on each desk.
    for (row, z) in [-3.6f32, -0.4, 2.8].into_iter().enumerate() {
        for (col, x) in [-7.0f32, -2.5, 2.0, 6.5].into_iter().enumerate() {
            let (a, c) = if (row + col) % 2 == 0 {
                (RED, CORAL)
            } else {
                (CORAL, RED)
            };
            k.slab(v(x - 1.6, 0.72, z - 0.5), v(x + 1.6, 0.76, z + 0.5), CREAM);
            k.slab(v(x - 1.75, 0.0, z - 0.6), v(x + 1.75, 1.4, z - 0.52), a);
            k.slab(v(x + 1.68, 0.0, z - 0.55), v(x + 1.76, 1.25, z + 0.55), c);
            k.slab(v(x - 1.76, 0.0, z - 0.55), v(x - 1.68, 1.25, z + 0.55), c);
            k.light(
                v(x - 0.6, 1.0, z - 0.3),
                v(0.62, 0.38, 0.03),
                (1.0, 0.74, 0.56),
            );
            k.light(
                v(x + 0.7, 1.0, z - 0.3),
                v(0.62, 0.38, 0.03),
                (1.0, 0.7, 0.5),
            );
            k.slab(
                v(x - 0.9, 0.42, z + 0.55),
                v(x - 0.3, 0.5, z + 1.1),
                (0.5, 0.16, 0.13),
            );
            k.slab(
                v(x + 0.4, 0.42, z + 0.55),
                v(x + 1.0, 0.5, z + 1.1),
                (0.5, 0.16, 0.13),
            );
        }
    }
    k.cone(v(9.0, 0.0, -5.0), 0.5, 1.6, (0.6, 0.32, 0.16));
    b.still(k, Prop::Partitions);
}

fn street(b: &mut Builder, rng: &mut ChaCha8Rng) {
    let mut k = b.kit();
    k.slab(v(-6.0, 0.0, -90.0), v(6.0, 0.05, 60.0), (0.3, 0.16, 0.15));
    let mut z = -88.0;
    while z < 58.0 {
        k.slab(v(-0.08, 0.05, z), v(0.08, 0.06, z + 2.4), (0.9, 0.78, 0.58));
        z += 6.0;
    }
    for s in [-1.0f32, 1.0] {
        k.slab(
            v(s * 6.0, 0.0, -90.0),
            v(s * 10.5, 0.18, 60.0),
            (0.72, 0.52, 0.44),
        );
        k.slab(
            v(s * 6.0, 0.0, -90.0),
            v(s * 6.25, 0.2, 60.0),
            (0.86, 0.72, 0.6),
        );
    }
    b.still(k, Prop::Crossing);
    let mut k = b.kit();
    let mut x = -5.4;
    while x < 5.4 {
        k.slab(v(x, 0.05, 17.0), v(x + 0.6, 0.07, 20.5), (0.96, 0.9, 0.8));
        x += 1.2;
    }
    b.still(k, Prop::Crossing);
    // Shopfronts: a lit window and an awning each, on both sides all the way down.
    let facades = [
        (0.66, 0.3, 0.24),
        (0.82, 0.62, 0.48),
        (0.6, 0.34, 0.28),
        (0.7, 0.46, 0.36),
    ];
    let awnings = [RED, CORAL, MUSTARD, CREAM];
    let shop_lights = [(1.0, 0.72, 0.45), (1.0, 0.6, 0.4), (0.98, 0.8, 0.6)];
    let mut k = b.kit();
    for s in [-1.0f32, 1.0] {
        let mut z = -86.0;
        while z < 56.0 {
            let h = rng.random_range(5.5..10.0);
            let f = facades[rng.random_range(0..facades.len())];
            k.slab(v(s * 10.5, 0.0, z), v(s * 12.5, h, z + 7.8), f);
            k.light(
                v(s * 10.47, 1.7, z + 4.2),
                v(0.06, 2.2, 5.0),
                shop_lights[rng.random_range(0..3)],
            );
            k.slab(v(s * 10.4, 0.0, z + 0.8), v(s * 10.5, 2.6, z + 1.8), DARK);
            k.turned(
                Transform::from_xyz(s * 9.85, 3.1, z + 3.9)
                    .with_rotation(Quat::from_rotation_z(s * 0.38))
                    .with_scale(v(1.5, 0.08, 7.2)),
                awnings[rng.random_range(0..awnings.len())],
            );
            // Upper windows, some lit.
            if h > 7.0 {
                k.light(
                    v(s * 10.47, 5.6, z + 4.0),
                    v(0.05, 1.0, 4.0),
                    (0.9, 0.55, 0.35),
                );
            }
            z += 8.0;
        }
    }
    b.still(k, Prop::Shopfronts);
    let mut k = b.kit();
    let mut z = -84.0;
    while z < 56.0 {
        for s in [-1.0f32, 1.0] {
            k.beam(v(s * 6.6, 0.18, z), v(s * 6.6, 4.7, z), 0.12, DARK);
            k.beam(v(s * 6.6, 4.7, z), v(s * 5.6, 4.7, z), 0.08, DARK);
            k.light(v(s * 5.6, 4.58, z), v(0.4, 0.14, 0.4), LAMP);
            // A tree in a planter between lamps.
            k.column(v(s * 8.6, 0.18, z + 6.0), 0.12, 2.4, BROWN);
            let leaves = if rng.random_bool(0.5) {
                (0.78, 0.32, 0.2)
            } else {
                (0.86, 0.46, 0.22)
            };
            k.ball(v(s * 8.6, 3.2, z + 6.0), 1.4, leaves);
        }
        z += 12.0;
    }
    b.still(k, Prop::Lamps);
}

fn subway(b: &mut Builder) {
    let tile = (0.92, 0.74, 0.6);
    let mut k = b.kit();
    // The track bed and rails, the platform and its edge.
    k.slab(v(-4.8, -0.1, -200.0), v(0.0, 0.0, 130.0), DARK);
    for x in [-3.0, -1.5] {
        k.slab(
            v(x, 0.0, -200.0),
            v(x + 0.15, 0.15, 130.0),
            (0.5, 0.32, 0.24),
        );
    }
    k.slab(v(0.0, 0.0, -60.0), v(7.0, 1.0, 40.0), (0.7, 0.55, 0.45));
    k.slab(v(0.0, 1.0, -60.0), v(0.5, 1.02, 40.0), (0.92, 0.7, 0.3));
    // Tiled walls with a coloured band, the ceiling.
    k.slab(v(-4.8, 0.0, -60.0), v(-4.5, 5.0, 40.0), tile);
    k.slab(v(-4.5, 1.8, -60.0), v(-4.45, 2.4, 40.0), RED);
    k.slab(v(7.0, 0.0, -60.0), v(7.3, 5.0, 40.0), tile);
    k.slab(v(6.95, 2.2, -60.0), v(7.0, 2.7, 40.0), CORAL);
    k.slab(v(-4.8, 5.0, -60.0), v(7.3, 5.3, 40.0), (0.55, 0.35, 0.28));
    // Each end: a wall over the platform, the tunnel's mouth over the track, a dark tunnel.
    for (end, far) in [(-60.0f32, -200.0f32), (40.0, 130.0)] {
        let s = if far < end { -1.0 } else { 1.0 };
        k.slab(v(0.0, 0.0, end), v(7.3, 5.0, end + s * 0.3), tile);
        k.slab(v(-4.8, 4.2, end), v(0.0, 5.0, end + s * 0.3), tile);
        k.slab(v(-5.1, 0.0, end), v(-4.8, 4.5, far), DARK);
        k.slab(v(0.0, 1.0, end), v(0.3, 4.5, far), DARK);
        k.slab(v(-5.1, 4.2, end), v(0.3, 4.5, far), DARK);
        k.slab(
            v(-5.1, 0.0, far),
            v(0.3, 4.5, far + s * 0.3),
            (0.06, 0.03, 0.03),
        );
    }
    // Red pillars, lights along the ceiling, signs, benches.
    let mut z = -55.0;
    while z < 38.0 {
        k.column(v(3.4, 1.0, z), 0.3, 4.0, RED);
        k.light(v(1.6, 4.96, z + 5.0), v(0.3, 0.06, 6.0), LAMP);
        k.light(v(6.93, 3.4, z + 5.0), v(0.05, 0.7, 2.6), (0.95, 0.4, 0.28));
        k.slab(v(5.6, 1.0, z + 2.0), v(6.4, 1.45, z + 4.5), WOOD);
        z += 10.0;
    }
    b.still(k, Prop::Platform);
    // The train: coral with a cream roof, lit windows all along.
    let mut k = b.kit();
    k.slab(v(-4.1, 0.3, -30.0), v(-0.2, 3.6, 30.0), (0.9, 0.45, 0.35));
    k.slab(v(-4.0, 3.6, -30.0), v(-0.3, 3.9, 30.0), CREAM);
    k.slab(v(-0.19, 1.0, -30.0), v(-0.17, 1.25, 30.0), RED);
    let mut z = -28.5;
    while z < 29.0 {
        k.light(v(-0.17, 2.3, z + 1.2), v(0.04, 1.0, 2.2), LAMP);
        z += 3.0;
    }
    k.light(v(-2.15, 2.4, -30.02), v(2.8, 0.9, 0.05), (1.0, 0.85, 0.6));
    b.part(
        k,
        Transform::from_xyz(0.0, 0.0, -400.0),
        Some(Prop::Train),
        Some(Motion::Shuttle { period: 30.0 }),
    );
}

fn beach(b: &mut Builder, rng: &mut ChaCha8Rng) {
    let mut k = b.kit();
    k.slab(
        v(-500.0, 0.0, -22.0),
        v(500.0, 0.3, 90.0),
        (0.93, 0.76, 0.58),
    );
    k.slab(
        v(-500.0, 0.0, -27.0),
        v(500.0, 0.24, -22.0),
        (0.8, 0.58, 0.46),
    );
    // A lifeguard's hut on legs.
    for (x, z) in [(-23.0, -4.0), (-20.0, -4.0), (-23.0, -1.0), (-20.0, -1.0)] {
        k.beam(v(x, 0.3, z), v(x, 3.0, z), 0.15, CREAM);
    }
    k.slab(v(-23.6, 3.0, -4.6), v(-19.4, 5.0, -0.4), RED);
    k.slab(v(-24.0, 5.0, -5.0), v(-19.0, 5.3, 0.0), CREAM);
    b.still(k, Prop::Sand);
    // The sea, warm with the sky, out to the city.
    let mut k = b.kit();
    k.slab(
        v(-700.0, 0.0, -405.0),
        v(700.0, 0.12, -22.0),
        (0.62, 0.3, 0.3),
    );
    // The sun's path on the water, toward where the sky puts the disc (`sky::disc_direction`).
    let s = stage(Location::Beach);
    let ahead = ((s.target - s.eye) * v(1.0, 0.0, 1.0)).normalize_or(Vec3::NEG_Z);
    let toward = Quat::from_rotation_y(0.32) * ahead;
    for i in 0..60 {
        let d = 70.0 + (i as f32).powf(1.45) * 4.0;
        let p = s.eye + toward * d + ahead.cross(Vec3::Y) * rng.random_range(-1.0..1.0) * d * 0.02;
        if p.z > -24.0 {
            continue;
        }
        let glint = if i % 3 == 0 { LAMP } else { (1.0, 0.66, 0.42) };
        k.light(
            v(p.x, 0.125, p.z),
            v(rng.random_range(1.0..3.0) + d * 0.02, 0.01, 0.5 + d * 0.004),
            glint,
        );
    }
    b.still(k, Prop::Sea);
    let mut wave = None;
    for i in 0..7 {
        let mut k = b.kit();
        k.slab(v(-0.5, 0.0, -0.3), v(0.5, 0.04, 0.3), (0.99, 0.86, 0.74));
        let width = rng.random_range(60.0..160.0);
        let x = rng.random_range(-60.0..60.0);
        add_or_copy(
            b,
            &mut wave,
            k,
            Transform::from_xyz(x, 0.1, -60.0).with_scale(v(width, 1.0, 1.0)),
            Some(Prop::Wave),
            Some(Motion::Wave {
                far: -70.0,
                near: -23.0,
                period: 11.0,
                phase: i as f32 * 11.0 / 7.0,
            }),
        );
    }
    // Umbrellas and towels.
    let colours = [CORAL, RED, CREAM, MUSTARD];
    let mut k = b.kit();
    for i in 0..14 {
        let x = rng.random_range(-36.0..34.0);
        let z = rng.random_range(-18.0..14.0);
        let c = colours[i % colours.len()];
        k.beam(v(x, 0.3, z), v(x, 2.5, z), 0.06, CREAM);
        k.cone(v(x, 2.2, z), 1.5, 0.6, c);
        k.slab(
            v(x + 0.3, 0.3, z - 0.4),
            v(x + 1.2, 0.32, z + 1.4),
            colours[(i + 1) % 4],
        );
    }
    b.still(k, Prop::Umbrellas);
}

fn fair(b: &mut Builder, rng: &mut ChaCha8Rng) {
    let mut k = b.kit();
    k.slab(v(-70.0, 0.0, -70.0), v(70.0, 0.06, 70.0), (0.8, 0.58, 0.46));
    // The wheel's legs and its platform.
    let centre = v(-8.0, 17.0, -26.0);
    for s in [-1.5f32, 1.5] {
        k.beam(
            v(centre.x - 6.0, 0.0, centre.z + s),
            centre + v(0.0, 0.0, s),
            0.4,
            RUST,
        );
        k.beam(
            v(centre.x + 6.0, 0.0, centre.z + s),
            centre + v(0.0, 0.0, s),
            0.4,
            RUST,
        );
    }
    k.slab(
        v(centre.x - 7.0, 0.0, centre.z - 3.0),
        v(centre.x + 7.0, 0.5, centre.z + 3.0),
        CREAM,
    );
    // Stalls with striped awnings and lit counters.
    for (x, z) in [(-26.0, -4.0), (-24.0, 8.0), (24.0, 4.0), (26.0, -12.0)] {
        k.slab(v(x - 2.0, 0.0, z - 1.5), v(x + 2.0, 2.2, z + 1.5), CREAM);
        k.light(v(x, 1.2, z + 1.52), v(3.4, 0.6, 0.04), LAMP);
        for i in 0..6 {
            let c = if i % 2 == 0 { RED } else { CREAM };
            let sx = x - 2.0 + i as f32 * 0.7;
            k.turned(
                Transform::from_xyz(sx + 0.35, 2.6, z + 1.4)
                    .with_rotation(Quat::from_rotation_x(0.5))
                    .with_scale(v(0.7, 0.06, 1.4)),
                c,
            );
        }
    }
    // A big top behind the wheel: striped walls, a red roof, a pennant.
    let top = v(-20.0, 0.0, -44.0);
    for i in 0..20 {
        let a = i as f32 / 20.0 * std::f32::consts::TAU;
        let c = if i % 2 == 0 { RED } else { CREAM };
        k.turned(
            Transform::from_translation(top + v(a.cos() * 12.0, 3.5, a.sin() * 12.0))
                .with_rotation(Quat::from_rotation_y(-a))
                .with_scale(v(0.4, 7.0, 3.9)),
            c,
        );
    }
    k.cone(top + v(0.0, 7.0, 0.0), 13.0, 9.0, RED);
    k.column(top + v(0.0, 7.0, 0.0), 13.0, 0.6, CREAM);
    k.beam(top + v(0.0, 15.0, 0.0), top + v(0.0, 19.0, 0.0), 0.12, DARK);
    k.turned(
        Transform::from_translation(top + v(0.8, 18.4, 0.0)).with_scale(v(1.6, 0.9, 0.05)),
        MUSTARD,
    );
    b.still(k, Prop::Carousel);
    // Poles round the plaza with strings of lights between them, and to the wheel.
    let mut k = b.kit();
    let hub = v(2.0, 0.0, -4.0);
    let poles: Vec<Vec3> = (0..8)
        .map(|i| {
            let a = i as f32 / 8.0 * std::f32::consts::TAU;
            hub + v(a.cos() * 20.0, 0.0, a.sin() * 16.0)
        })
        .collect();
    for (i, p) in poles.iter().enumerate() {
        k.beam(*p, *p + Vec3::Y * 6.0, 0.15, DARK);
        let next = poles[(i + 1) % poles.len()];
        k.lights_between(*p + Vec3::Y * 6.0, next + Vec3::Y * 6.0, 1.5, 14);
        if i % 2 == 0 {
            k.lights_between(*p + Vec3::Y * 6.0, hub + Vec3::Y * 9.0, 1.2, 12);
        }
    }
    k.beam(hub, hub + Vec3::Y * 9.0, 0.18, DARK);
    b.still(k, Prop::StringLights);
    // The wheel: rim, inner ring, spokes, lights on the rim; it turns.
    let radius = 13.0;
    let mut k = b.kit();
    let n = 28;
    let at = |i: usize, r: f32| {
        let a = i as f32 / n as f32 * std::f32::consts::TAU;
        v(a.cos() * r, a.sin() * r, 0.0)
    };
    for i in 0..n {
        for z in [-0.8f32, 0.8] {
            k.beam(
                at(i, radius) + v(0.0, 0.0, z),
                at(i + 1, radius) + v(0.0, 0.0, z),
                0.3,
                RED,
            );
            k.beam(
                at(i, radius * 0.8) + v(0.0, 0.0, z),
                at(i + 1, radius * 0.8) + v(0.0, 0.0, z),
                0.15,
                CREAM,
            );
        }
        if i % 2 == 0 {
            k.beam(v(0.0, 0.0, 0.0), at(i, radius), 0.14, CREAM);
        }
        k.light(
            at(i, radius) + v(0.0, 0.0, 0.95),
            Vec3::splat(0.3),
            if i % 2 == 0 { LAMP } else { (1.0, 0.55, 0.35) },
        );
    }
    k.cylinder(
        Transform::from_rotation(Quat::from_rotation_x(std::f32::consts::FRAC_PI_2))
            .with_scale(v(1.6, 2.4, 1.6)),
        MUSTARD,
    );
    let spin = 0.09;
    b.part(
        k,
        Transform::from_translation(centre),
        Some(Prop::Wheel),
        Some(Motion::Spin {
            axis: Vec3::Z,
            speed: spin,
        }),
    );
    // Gondolas, hanging level as the wheel turns.
    let colours = [CORAL, CREAM, MUSTARD, RED];
    let mut gondolas = [None; 2];
    for i in 0..14 {
        let mut k = b.kit();
        k.slab(
            v(-0.8, -2.2, -0.7),
            v(0.8, -0.6, 0.7),
            colours[i % colours.len()],
        );
        k.slab(v(-0.9, -0.6, -0.8), v(0.9, -0.45, 0.8), CREAM);
        k.beam(v(0.0, -0.45, 0.0), v(0.0, 0.0, 0.0), 0.08, DARK);
        k.light(v(0.0, -1.5, 0.71), v(1.1, 0.5, 0.02), LAMP);
        let phase = i as f32 / 14.0 * std::f32::consts::TAU;
        add_or_copy(
            b,
            &mut gondolas[i % 2],
            k,
            Transform::from_translation(centre + v(phase.cos(), phase.sin(), 0.0) * radius),
            Some(Prop::Gondola),
            Some(Motion::Orbit {
                centre,
                radius,
                speed: spin,
                phase,
            }),
        );
    }
    // The carousel: platform, pole, striped canopy, horses on poles; it turns.
    let mut k = b.kit();
    k.column(v(0.0, 0.0, 0.0), 5.0, 0.5, CREAM);
    k.column(v(0.0, 0.5, 0.0), 0.7, 3.8, MUSTARD);
    k.column(v(0.0, 3.9, 0.0), 5.6, 0.5, CREAM);
    k.cone(v(0.0, 4.4, 0.0), 5.8, 1.8, RED);
    for i in 0..10 {
        let a = i as f32 / 10.0 * std::f32::consts::TAU;
        let p = v(a.cos() * 3.8, 0.0, a.sin() * 3.8);
        k.beam(p + Vec3::Y * 0.5, p + Vec3::Y * 3.9, 0.08, MUSTARD);
        let horse = if i % 2 == 0 { CREAM } else { CORAL };
        k.turned(
            Transform::from_translation(p + Vec3::Y * (1.5 + (i % 3) as f32 * 0.2))
                .with_rotation(Quat::from_rotation_y(-a))
                .with_scale(v(0.35, 0.55, 1.2)),
            horse,
        );
    }
    for i in 0..20 {
        let a = i as f32 / 20.0 * std::f32::consts::TAU;
        k.light(
            v(a.cos() * 5.65, 4.15, a.sin() * 5.65),
            Vec3::splat(0.22),
            LAMP,
        );
    }
    b.part(
        k,
        Transform::from_xyz(12.0, 0.0, -8.0),
        Some(Prop::Carousel),
        Some(Motion::Spin {
            axis: Vec3::Y,
            speed: 0.35,
        }),
    );
    let _ = rng;
}

/// A rusty red, for the wheel's legs.
const RUST: (f32, f32, f32) = (0.6, 0.28, 0.18);

fn restaurant(b: &mut Builder) {
    let wall = (0.62, 0.17, 0.14);
    room(
        b,
        v(12.0, 3.4, 9.0),
        (1.6, 0.95, 2.75),
        2,
        wall,
        (0.42, 0.2, 0.14),
        (0.5, 0.22, 0.16),
        (0.3, 0.14, 0.1),
    );
    let mut k = b.kit();
    // Panelling below the rail; a second window; pendant lamps over the tables.
    for (a, c) in [
        (v(-6.0, 0.0, 4.4), v(6.0, 1.0, 4.5)),
        (v(-5.98, 0.0, -4.5), v(-5.9, 1.0, 4.5)),
        (v(5.9, 0.0, -4.5), v(5.98, 1.0, 4.5)),
    ] {
        k.slab(a, c, (0.4, 0.18, 0.12));
    }
    k.slab(
        v(-5.6, 0.95, -4.55),
        v(-3.0, 2.75, -4.45),
        (0.9, 0.62, 0.45),
    );
    k.slab(v(3.0, 0.95, -4.55), v(5.6, 2.75, -4.45), (0.9, 0.62, 0.45));
    for (x, z) in [
        (0.6, -2.4),
        (-3.6, -2.6),
        (4.2, -2.2),
        (-3.8, 1.6),
        (4.0, 2.0),
    ] {
        k.beam(v(x, 3.4, z), v(x, 2.5, z), 0.02, DARK);
        k.bulb(v(x, 2.4, z), 0.2, LAMP);
        if x != 0.6 {
            k.slab(v(x - 0.7, 0.0, z - 0.6), v(x + 0.7, 0.76, z + 0.6), CREAM);
            k.slab(v(x - 0.6, 0.0, z + 0.7), v(x + 0.2, 0.95, z + 0.8), WOOD);
        }
    }
    b.still(k, Prop::Room);
    // The table by the window: a white cloth, two plates, glasses, a candle, the chair across.
    let mut k = b.kit();
    k.slab(v(-0.3, 0.74, -3.3), v(1.5, 0.78, -1.6), CREAM);
    k.slab(
        v(-0.32, 0.45, -3.32),
        v(1.52, 0.74, -1.58),
        (0.92, 0.84, 0.74),
    );
    for (x, z) in [(0.25, -1.95), (0.95, -2.95)] {
        k.column(v(x, 0.78, z), 0.16, 0.02, (0.99, 0.96, 0.9));
        k.column(v(x + 0.3, 0.78, z + 0.1), 0.035, 0.16, (0.9, 0.76, 0.66));
    }
    k.column(v(0.55, 0.78, -2.45), 0.04, 0.3, (0.45, 0.1, 0.1));
    k.column(v(0.75, 0.78, -2.3), 0.025, 0.12, CREAM);
    k.bulb(v(0.75, 0.95, -2.3), 0.04, EMBER);
    k.slab(v(0.2, 0.0, -4.2), v(1.0, 1.05, -4.1), WOOD);
    k.slab(v(0.2, 0.45, -4.2), v(1.0, 0.5, -3.5), WOOD);
    b.still(k, Prop::Table);
}

fn cabin(b: &mut Builder, rng: &mut ChaCha8Rng) {
    let logs = [(0.6, 0.31, 0.18), (0.5, 0.25, 0.15)];
    let mut k = b.kit();
    let (w, h, d) = (4.0, 2.8, 3.0);
    k.slab(v(-w, -0.1, -d), v(w, 0.0, d), (0.45, 0.22, 0.14));
    k.slab(v(-w, h, -d), v(w, h + 0.15, d), (0.42, 0.2, 0.12));
    for i in 0..8 {
        let y = i as f32 * 0.35;
        let c = logs[i % 2];
        k.slab(v(-w, y, d), v(w, y + 0.35, d + 0.15), c);
        k.slab(v(-w - 0.15, y, -d), v(-w, y + 0.35, d), c);
        k.slab(v(w, y, -d), v(w + 0.15, y + 0.35, d), c);
        // The window wall's logs, leaving the window open.
        if !(0.9..2.2).contains(&(y + 0.17)) {
            k.slab(v(-w, y, -d - 0.15), v(w, y + 0.35, -d), c);
        } else {
            k.slab(v(-w, y, -d - 0.15), v(-1.8, y + 0.35, -d), c);
            k.slab(v(1.8, y, -d - 0.15), v(w, y + 0.35, -d), c);
        }
    }
    for x in [-2.0, 0.0, 2.0] {
        k.slab(
            v(x - 0.12, h - 0.25, -d),
            v(x + 0.12, h, d),
            (0.36, 0.17, 0.1),
        );
    }
    k.slab(v(-1.5, 0.0, -1.2), v(1.3, 0.02, 1.0), RED);
    k.slab(v(1.4, 0.0, -2.2), v(2.4, 0.45, -1.2), RED);
    k.slab(v(2.3, 0.45, -2.2), v(2.4, 1.0, -1.2), RED);
    k.column(v(0.2, 0.0, 0.4), 0.45, 0.5, WOOD);
    k.column(v(0.3, 0.5, 0.4), 0.06, 0.1, CREAM);
    b.still(k, Prop::Room);
    let mut k = b.kit();
    for x in [-1.8f32, 0.0, 1.8] {
        k.slab(
            v(x - 0.06, 0.9, -d - 0.1),
            v(x + 0.06, 2.2, -d + 0.04),
            BROWN,
        );
    }
    k.slab(v(-1.8, 1.5, -d - 0.1), v(1.8, 1.58, -d + 0.04), BROWN);
    k.slab(v(-1.9, 0.85, -d - 0.1), v(1.9, 0.92, -d + 0.2), BROWN);
    b.still(k, Prop::Window);
    // The fire, on the left wall.
    let mut k = b.kit();
    k.slab(v(-4.0, 0.0, -1.3), v(-3.3, 1.4, 0.7), (0.6, 0.45, 0.38));
    k.slab(v(-4.0, 1.4, -0.8), v(-3.55, 2.8, 0.2), (0.55, 0.42, 0.36));
    k.slab(v(-3.32, 0.15, -0.85), v(-3.28, 0.95, 0.25), DARK);
    k.light(v(-3.45, 0.35, -0.3), v(0.3, 0.36, 0.75), EMBER);
    k.bulb(v(-3.4, 0.5, -0.3), 0.22, (1.0, 0.72, 0.32));
    k.beam(v(2.8, 2.95, 1.5), v(2.8, 2.2, 1.5), 0.02, DARK);
    k.bulb(v(2.8, 2.1, 1.5), 0.16, LAMP);
    b.still(k, Prop::Fireplace);
    // Outside: snow in warm light, pines, far hills.
    let snow = (1.0, 0.9, 0.82);
    let mut k = b.kit();
    k.slab(v(-800.0, -0.3, -800.0), v(800.0, -0.02, 100.0), snow);
    for _ in 0..36 {
        let x = rng.random_range(-70.0..70.0);
        let z = rng.random_range(-160.0..-9.0);
        let s = rng.random_range(0.7..1.4);
        k.column(v(x, 0.0, z), 0.25 * s, 1.2 * s, BROWN);
        for tier in 0..3 {
            let y = (1.0 + tier as f32 * 1.4) * s;
            let r = (2.2 - tier as f32 * 0.55) * s;
            k.cone(v(x, y, z), r, 2.2 * s, (0.42, 0.18, 0.13));
            k.cone(v(x, y + 1.3 * s, z), r * 0.45, 0.9 * s, snow);
        }
    }
    for (x, z, r) in [
        (-120.0, -300.0, 90.0),
        (60.0, -340.0, 120.0),
        (220.0, -280.0, 80.0),
    ] {
        k.turned(
            Transform::from_xyz(x, 0.0, z).with_scale(v(r * 2.0, r * 0.5, r)),
            (0.98, 0.86, 0.78),
        );
    }
    b.still(k, Prop::Snow);
    let mut flake = None;
    for _ in 0..70 {
        let mut k = b.kit();
        k.light(Vec3::ZERO, Vec3::splat(0.07), (1.0, 0.94, 0.86));
        let top = v(
            rng.random_range(-9.0..9.0),
            7.0,
            rng.random_range(-16.0..-3.6),
        );
        let speed = rng.random_range(0.5..0.9);
        add_or_copy(
            b,
            &mut flake,
            k,
            Transform::from_translation(top),
            Some(Prop::Snowflake),
            Some(Motion::Fall {
                top,
                drop: 7.0,
                speed,
                phase: rng.random_range(0.0..14.0),
            }),
        );
    }
}

fn rooftop(b: &mut Builder) {
    let mut k = b.kit();
    k.slab(
        v(-14.0, -90.0, -12.0),
        v(14.0, 0.0, 12.0),
        (0.55, 0.35, 0.3),
    );
    // The parapet all round, capped.
    let wall = (0.8, 0.55, 0.45);
    let cap = (0.9, 0.72, 0.6);
    for (a, c) in [
        (v(-14.0, 0.0, -12.0), v(14.0, 1.2, -11.6)),
        (v(-14.0, 0.0, 11.6), v(14.0, 1.2, 12.0)),
        (v(-14.0, 0.0, -12.0), v(-13.6, 1.2, 12.0)),
        (v(13.6, 0.0, -12.0), v(14.0, 1.2, 12.0)),
    ] {
        k.slab(a, c, wall);
        k.slab(
            a + v(-0.05, 1.2, -0.05),
            v(c.x + 0.05, 1.3, c.z + 0.05),
            cap,
        );
    }
    b.still(k, Prop::Parapet);
    let mut k = b.kit();
    // A water tower on legs, vents, an aerial with its red light, chairs, pots, lights.
    for (x, z) in [(2.3, -10.2), (4.7, -10.2), (2.3, -7.8), (4.7, -7.8)] {
        k.beam(v(x, 0.0, z), v(x, 3.0, z), 0.18, BROWN);
    }
    k.column(v(3.5, 3.0, -9.0), 1.7, 3.2, RUST);
    k.cone(v(3.5, 6.2, -9.0), 1.8, 1.2, BROWN);
    for (x, z) in [(-9.0, -4.0), (-6.0, 6.0), (-10.0, 5.0)] {
        k.slab(
            v(x - 1.0, 0.0, z - 0.8),
            v(x + 1.0, 1.2, z + 0.8),
            (0.62, 0.5, 0.44),
        );
    }
    k.beam(v(-11.0, 0.0, -9.0), v(-11.0, 9.0, -9.0), 0.1, DARK);
    k.bulb(v(-11.0, 9.1, -9.0), 0.18, (1.0, 0.3, 0.2));
    k.slab(v(-1.5, 0.0, -3.0), v(-0.8, 0.45, -2.3), CORAL);
    k.slab(v(-1.5, 0.45, -2.35), v(-0.8, 0.95, -2.3), CORAL);
    for x in [-12.5f32, -8.0, 12.5] {
        k.column(v(x, 0.0, -10.8), 0.35, 0.5, (0.7, 0.36, 0.24));
        k.ball(v(x, 0.9, -10.8), 0.5, (0.8, 0.4, 0.22));
    }
    k.lights_between(v(-13.6, 2.4, -11.6), v(13.6, 2.4, -11.6), 0.6, 30);
    k.beam(v(-13.6, 0.0, -11.6), v(-13.6, 2.4, -11.6), 0.08, DARK);
    k.beam(v(13.6, 0.0, -11.6), v(13.6, 2.4, -11.6), 0.08, DARK);
    b.still(k, Prop::Parapet);
    // The neighbouring roofs, near enough to be clear of the haze: the city at eye level.
    let mut k = b.kit();
    let roofs = [
        (-40.0, -40.0, -4.0),
        (-14.0, -52.0, 3.0),
        (16.0, -46.0, -2.0),
        (44.0, -60.0, 6.0),
        (-62.0, -70.0, 9.0),
        (2.0, -84.0, 12.0),
        (30.0, -28.0, -7.0),
    ];
    for (i, (x, z, h)) in roofs.into_iter().enumerate() {
        let tone = [(0.66, 0.36, 0.28), (0.78, 0.56, 0.44), (0.6, 0.3, 0.24)][i % 3];
        k.slab(v(x - 9.0, -90.0, z - 7.0), v(x + 9.0, h, z + 7.0), tone);
        k.slab(
            v(x - 9.2, h, z - 7.2),
            v(x + 9.2, h + 0.9, z + 7.2),
            (0.85, 0.64, 0.52),
        );
        k.column(v(x + 4.0, h + 2.0, z - 2.0), 1.3, 2.2, RUST);
        k.cone(v(x + 4.0, h + 4.2, z - 2.0), 1.4, 0.8, BROWN);
        for (dx, dz) in [(2.8, -3.0), (5.2, -3.0), (2.8, -1.0), (5.2, -1.0)] {
            k.beam(
                v(x + dx, h, z + dz),
                v(x + dx, h + 2.0, z + dz),
                0.12,
                BROWN,
            );
        }
        k.light(
            v(x - 3.0, h - 2.0, z + 7.02),
            v(5.0, 1.2, 0.05),
            (1.0, 0.7, 0.45),
        );
    }
    b.still(k, Prop::Parapet);
}

/// The people a place has: walkers on its paths, a few standing.
fn crowd(
    place: Location,
    p: &mut ChildSpawnerCommands,
    figures: &Figures,
    surface: &Surface,
    glow: &Handle<FlatMaterial>,
    rng: &mut ChaCha8Rng,
) {
    match place {
        Location::Street => {
            spawn_crowd(
                p,
                figures,
                surface,
                glow,
                place,
                70,
                rng,
                |r| {
                    let s = if r.random_bool(0.5) { -1.0 } else { 1.0 };
                    let x = s * r.random_range(7.0..9.8);
                    let way = if r.random_bool(0.5) {
                        Vec3::Z
                    } else {
                        Vec3::NEG_Z
                    };
                    let start = if way.z > 0.0 { -90.0 } else { 48.0 };
                    (v(x, 0.18, start), way, 138.0)
                },
                0.1,
            );
            spawn_crowd(
                p,
                figures,
                surface,
                glow,
                place,
                8,
                rng,
                |r| {
                    let z = r.random_range(17.4..20.2);
                    let (x, way) = if r.random_bool(0.5) {
                        (-9.0, Vec3::X)
                    } else {
                        (9.0, Vec3::NEG_X)
                    };
                    (v(x, 0.05, z), way, 18.0)
                },
                0.0,
            );
        }
        Location::Fair => {
            spawn_crowd(
                p,
                figures,
                surface,
                glow,
                place,
                60,
                rng,
                |r| {
                    let a = r.random_range(0.0..std::f32::consts::TAU);
                    let way = v(a.cos(), 0.0, a.sin());
                    let centre = v(
                        r.random_range(-16.0..20.0),
                        0.06,
                        r.random_range(-14.0..12.0),
                    );
                    (centre - way * 18.0, way, 36.0)
                },
                0.25,
            );
        }
        Location::Beach => {
            spawn_crowd(
                p,
                figures,
                surface,
                glow,
                place,
                34,
                rng,
                |r| {
                    let z = r.random_range(-20.0..30.0);
                    let way = if r.random_bool(0.5) {
                        Vec3::X
                    } else {
                        Vec3::NEG_X
                    };
                    (v(-90.0 * way.x, 0.3, z), way, 180.0)
                },
                0.3,
            );
        }
        Location::Subway => {
            spawn_crowd(
                p,
                figures,
                surface,
                glow,
                place,
                18,
                rng,
                |r| {
                    let x = r.random_range(1.5..6.2);
                    let way = if r.random_bool(0.5) {
                        Vec3::Z
                    } else {
                        Vec3::NEG_Z
                    };
                    let z = r.random_range(-55.0..10.0);
                    (v(x, 1.0, z), way, 30.0)
                },
                0.5,
            );
        }
        Location::Office => {
            spawn_crowd(
                p,
                figures,
                surface,
                glow,
                place,
                6,
                rng,
                |r| {
                    let z = if r.random_bool(0.5) { 1.1 } else { 4.4 };
                    let way = if r.random_bool(0.5) {
                        Vec3::X
                    } else {
                        Vec3::NEG_X
                    };
                    (v(-9.0 * way.x, 0.0, z), way, 18.0)
                },
                0.4,
            );
        }
        Location::Restaurant => {
            spawn_crowd(
                p,
                figures,
                surface,
                glow,
                place,
                4,
                rng,
                |r| {
                    let spots = [
                        v(-3.6, 0.0, -1.8),
                        v(4.2, 0.0, -1.4),
                        v(-3.8, 0.0, 2.4),
                        v(4.0, 0.0, 2.8),
                    ];
                    (spots[r.random_range(0..spots.len())], Vec3::Z, 1.0)
                },
                1.0,
            );
        }
        Location::Apartment | Location::Cabin | Location::Rooftop => {}
    }
}

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
