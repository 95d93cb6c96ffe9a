//! People: low-poly figures walking the street, the plaza, the beach and the platform, most of
//! them talking to someone unseen (a small warm light at the ear), the men in high-waisted
//! trousers. Every figure of one kind shares one mesh and one material, so the renderer draws a
//! crowd as a handful of instanced batches; a walker is a few numbers (where it starts, which
//! way, how fast), moved by one system that allocates nothing.

use bevy::prelude::*;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::kit::{Kit, Shapes};
use super::places::v;
use super::skyline::{FlatMaterial, Surface};
use crate::story::format::{Location, TimeOfDay};

/// One person in a place's crowd.
#[derive(Component, Debug, Clone, Copy)]
pub struct Walker {
    /// The place whose crowd this is.
    pub place: Location,
    /// Where the walk starts (in the place's frame).
    pub start: Vec3,
    /// Which way (unit, on the ground).
    pub direction: Vec3,
    /// How far before the walk starts again (out of sight, or in the haze).
    pub length: f32,
    /// Metres a second: zero for someone standing (waiting, talking).
    pub speed: f32,
    /// Where along the walk at time zero.
    pub phase: f32,
    /// Shown while the place's crowd (`crowd`) is above this: a busy hour shows everyone.
    pub shy: f32,
}

/// How busy a place is at a time of day, 0 (nobody) to 1 (everyone).
pub fn crowd(place: Location, time: TimeOfDay) -> f32 {
    use TimeOfDay::*;
    let by_time = |morning, day, golden, dusk, night, dawn| match time {
        Morning => morning,
        Day => day,
        GoldenHour => golden,
        Dusk => dusk,
        Night => night,
        Dawn => dawn,
    };
    match place {
        Location::Street => by_time(0.85, 1.0, 0.9, 0.75, 0.35, 0.2),
        Location::Fair => by_time(0.4, 0.8, 1.0, 0.9, 0.6, 0.1),
        Location::Beach => by_time(0.5, 1.0, 0.75, 0.45, 0.1, 0.15),
        Location::Subway => by_time(1.0, 0.6, 0.75, 0.6, 0.3, 0.3),
        Location::Office => by_time(1.0, 1.0, 0.6, 0.3, 0.1, 0.0),
        Location::Restaurant => by_time(0.3, 0.8, 0.8, 1.0, 1.0, 0.1),
        Location::Apartment | Location::Cabin | Location::Rooftop => 0.0,
    }
}

/// A figure's clothes: shirt, trousers (or skirt), hair; sRGB.
type Clothes = ((f32, f32, f32), (f32, f32, f32), (f32, f32, f32));

/// The crowd's wardrobe: the film's reds, corals, mustard, cream and browns, never blue.
const WARDROBE: [Clothes; 6] = [
    ((0.86, 0.36, 0.28), (0.55, 0.36, 0.24), (0.25, 0.14, 0.1)),
    ((0.95, 0.78, 0.6), (0.62, 0.22, 0.16), (0.4, 0.22, 0.12)),
    ((0.82, 0.6, 0.26), (0.38, 0.22, 0.16), (0.18, 0.1, 0.08)),
    ((0.7, 0.2, 0.18), (0.82, 0.7, 0.55), (0.3, 0.16, 0.1)),
    ((0.96, 0.56, 0.45), (0.48, 0.3, 0.22), (0.55, 0.3, 0.16)),
    ((0.9, 0.84, 0.72), (0.7, 0.32, 0.2), (0.2, 0.12, 0.1)),
];

/// The meshes of the crowd: one body per outfit (even outfits dress the men: high-waisted
/// trousers up to the ribs; odd ones a coat and a skirt), and the light at the ear.
pub(super) struct Figures {
    /// One per outfit in `WARDROBE`.
    pub(super) bodies: Vec<Handle<Mesh>>,
    /// The earpiece's light.
    pub(super) earpiece: Handle<Mesh>,
}

impl Figures {
    /// Builds the figures' meshes.
    pub(super) fn new(shapes: &Shapes, bake: bool, meshes: &mut Assets<Mesh>) -> Self {
        let bodies = WARDROBE
            .iter()
            .enumerate()
            .filter_map(|(i, clothes)| figure(shapes, bake, *clothes, i % 2 == 0))
            .map(|m| meshes.add(m))
            .collect();
        let mut ear = Kit::new(shapes, bake);
        ear.light(Vec3::ZERO, Vec3::splat(1.0), (1.0, 0.8, 0.5));
        let earpiece = meshes.add(ear.finish().1.unwrap_or_else(|| Cuboid::default().into()));
        Figures { bodies, earpiece }
    }
}

/// One figure, 1.75 m tall, facing +z.
fn figure(shapes: &Shapes, bake: bool, clothes: Clothes, man: bool) -> Option<Mesh> {
    let (shirt, trousers, hair) = clothes;
    let skin = (0.85, 0.6, 0.46);
    let shoes = (0.22, 0.12, 0.1);
    let mut k = Kit::new(shapes, bake);
    for side in [-1.0, 1.0] {
        k.slab(
            Vec3::new(side * 0.15, 0.0, -0.09),
            Vec3::new(side * 0.02, 0.07, 0.12),
            shoes,
        );
        k.slab(
            Vec3::new(side * 0.15, 0.07, -0.08),
            Vec3::new(side * 0.02, 0.9, 0.08),
            trousers,
        );
        // Arms down the sides, in the shirt's colour.
        k.slab(
            Vec3::new(side * 0.2, 0.86, -0.06),
            Vec3::new(side * 0.27, 1.42, 0.06),
            shirt,
        );
    }
    if man {
        // High-waisted: the trousers reach up to the ribs, a belt, then a short run of shirt.
        k.slab(
            Vec3::new(-0.19, 0.88, -0.1),
            Vec3::new(0.19, 1.16, 0.1),
            trousers,
        );
        k.slab(
            Vec3::new(-0.195, 1.13, -0.105),
            Vec3::new(0.195, 1.16, 0.105),
            (0.2, 0.11, 0.08),
        );
        k.slab(
            Vec3::new(-0.2, 1.16, -0.1),
            Vec3::new(0.2, 1.45, 0.1),
            shirt,
        );
    } else {
        // A coat to the knees over the trousers.
        k.slab(
            Vec3::new(-0.21, 0.52, -0.11),
            Vec3::new(0.21, 1.45, 0.11),
            shirt,
        );
    }
    k.slab(
        Vec3::new(-0.05, 1.45, -0.05),
        Vec3::new(0.05, 1.52, 0.05),
        skin,
    );
    k.cube(Vec3::new(0.0, 1.62, 0.0), Vec3::new(0.19, 0.22, 0.2), skin);
    k.cube(
        Vec3::new(0.0, 1.74, -0.02),
        Vec3::new(0.2, 0.06, 0.21),
        hair,
    );
    k.finish().0
}

/// Spawns `count` people walking on `paths` of a place: each path a start, a way and a length.
#[expect(
    clippy::too_many_arguments,
    reason = "a crowd is its place, its paths and its look"
)]
pub(super) fn spawn_crowd(
    parent: &mut ChildSpawnerCommands,
    figures: &Figures,
    material: &super::skyline::Surface,
    glow: &Handle<super::skyline::FlatMaterial>,
    place: Location,
    count: usize,
    rng: &mut ChaCha8Rng,
    path: impl Fn(&mut ChaCha8Rng) -> (Vec3, Vec3, f32),
    standing: f32,
) {
    for i in 0..count {
        let (start, direction, length) = path(rng);
        let speed = if rng.random_bool(f64::from(standing)) {
            0.0
        } else {
            rng.random_range(0.9..1.6)
        };
        let walker = Walker {
            place,
            start,
            direction,
            length,
            speed,
            phase: rng.random_range(0.0..length.max(0.1)),
            shy: (i as f32 + 0.5) / count as f32,
        };
        let body = figures.bodies[rng.random_range(0..figures.bodies.len())].clone();
        let scale = rng.random_range(0.9..1.08);
        // Most of the crowd talks to someone unseen.
        let talking = rng.random_bool(0.7);
        let facing = if speed == 0.0 {
            Quat::from_rotation_y(rng.random_range(0.0..std::f32::consts::TAU))
        } else {
            Quat::from_rotation_arc(Vec3::Z, direction)
        };
        let mut person = parent.spawn((
            Mesh3d(body),
            Transform::from_translation(start)
                .with_rotation(facing)
                .with_scale(Vec3::splat(scale)),
            Visibility::Inherited,
            walker,
        ));
        material.paint(&mut person);
        if talking {
            person.with_children(|p| {
                p.spawn((
                    Mesh3d(figures.earpiece.clone()),
                    MeshMaterial3d(glow.clone()),
                    Transform::from_xyz(0.115, 1.62, 0.02).with_scale(Vec3::splat(0.07)),
                ));
            });
        }
    }
}

/// Walks the crowds: along their paths with a small bob, standers swaying. Nothing allocates.
pub(super) fn walk(
    work: Res<crate::game::WorkMeter>,
    time: Res<Time>,
    mut people: Query<(&Walker, &mut Transform)>,
) {
    let _work = work.start();
    let t = time.elapsed_secs();
    for (w, mut transform) in &mut people {
        if w.speed == 0.0 {
            let sway = (t * 0.7 + w.phase).sin() * 0.015;
            transform.translation = w.start + Vec3::new(sway, 0.0, 0.0);
            continue;
        }
        let along = (w.phase + t * w.speed) % w.length;
        let step = (along * 3.6).sin().abs() * 0.04;
        transform.translation = w.start + w.direction * along + Vec3::Y * step;
    }
}

/// Shows as many of each crowd as the place's hour brings out.
pub(super) fn gather(scene: Res<super::CityScene>, mut people: Query<(&Walker, &mut Visibility)>) {
    if !scene.is_changed() {
        return;
    }
    for (w, mut visibility) in &mut people {
        let shown = w.shy < crowd(w.place, scene.time);
        let v = if shown {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        visibility.set_if_neq(v);
    }
}

/// The people a place has: walkers on its paths, a few standing.
pub(super) fn place_crowd(
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
