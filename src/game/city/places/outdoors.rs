//! The open places: the street, the subway's platform, the beach, the fair and the rooftop.

use bevy::prelude::*;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{
    BROWN, Builder, CORAL, CREAM, DARK, LAMP, MUSTARD, Motion, Prop, RED, RUST, WOOD, add_or_copy,
    stage, v,
};
use crate::story::format::Location;

pub(super) fn street(b: &mut Builder, rng: &mut ChaCha8Rng) {
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

pub(super) fn subway(b: &mut Builder) {
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

pub(super) fn beach(b: &mut Builder, rng: &mut ChaCha8Rng) {
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

pub(super) fn fair(b: &mut Builder) {
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
}

pub(super) fn rooftop(b: &mut Builder) {
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
