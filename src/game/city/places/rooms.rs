//! The rooms: the apartment, the office, the restaurant and the cabin, each a shell with a
//! window (the city beyond it, or the snow) and the furniture a player names it by.

use bevy::prelude::*;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{
    BROWN, Builder, CORAL, CREAM, DARK, EMBER, LAMP, MUSTARD, Motion, PEACH, Prop, RED, WOOD,
    add_or_copy, v,
};

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

pub(super) fn apartment(b: &mut Builder) {
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
    // His bed in the dark corner under the window's right side, headboard to the wall, the
    // covers turned back, the pillows pale: in view, because a bed is what says "home" where a
    // desk alone says "office"; a nightstand with its small lamp beside it.
    let mut k = b.kit();
    k.slab(v(0.7, 0.0, -3.4), v(3.0, 0.38, -1.1), BROWN);
    k.slab(v(0.75, 0.38, -3.35), v(2.95, 0.6, -1.15), (0.55, 0.3, 0.3));
    k.slab(v(0.75, 0.6, -2.4), v(2.95, 0.66, -1.15), (0.5, 0.15, 0.14));
    for x in [(0.9, 1.75), (1.95, 2.8)] {
        k.slab(v(x.0, 0.6, -3.25), v(x.1, 0.8, -2.7), CREAM);
    }
    k.slab(v(0.65, 0.0, -3.5), v(3.05, 1.35, -3.4), BROWN);
    k.slab(v(3.15, 0.0, -3.3), v(3.7, 0.6, -2.8), WOOD);
    k.beam(v(3.42, 0.6, -3.05), v(3.42, 0.9, -3.05), 0.02, BROWN);
    k.bulb(v(3.42, 0.96, -3.05), 0.1, LAMP);
    b.still(k, Prop::Bed);
}

pub(super) fn office(b: &mut Builder) {
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

pub(super) fn restaurant(b: &mut Builder) {
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
    // The neighbouring tables along the window, laid the same way (white cloth, a candle, a
    // bottle) under their own pendant lamps: rows of laid tables say "restaurant" at a glance,
    // where one table says "home".
    for x in [-2.2, 2.9] {
        k.slab(v(x - 0.7, 0.74, -4.1), v(x + 0.7, 0.78, -3.0), CREAM);
        k.slab(
            v(x - 0.72, 0.4, -4.12),
            v(x + 0.72, 0.74, -2.98),
            (0.92, 0.84, 0.74),
        );
        k.column(v(x, 0.78, -3.55), 0.03, 0.14, CREAM);
        k.bulb(v(x, 0.97, -3.55), 0.05, EMBER);
        k.column(v(x + 0.4, 0.78, -3.8), 0.06, 0.36, (0.4, 0.08, 0.1));
        k.beam(v(x, 3.4, -3.55), v(x, 1.9, -3.55), 0.015, DARK);
        k.bulb(v(x, 1.8, -3.55), 0.16, LAMP);
        // A chair at each end, its high back above the cloth.
        for dx in [-0.95, 0.95] {
            k.slab(
                v(x + dx - 0.22, 0.45, -3.8),
                v(x + dx + 0.22, 0.5, -3.3),
                WOOD,
            );
            let back = if dx < 0.0 {
                x + dx - 0.22
            } else {
                x + dx + 0.18
            };
            k.slab(v(back, 0.5, -3.8), v(back + 0.04, 1.15, -3.3), WOOD);
        }
    }
    // The bar along the back wall between the windows: a counter and a shelf of bottles.
    k.slab(v(-5.6, 0.0, -4.4), v(-3.1, 1.05, -3.9), WOOD);
    k.slab(v(-5.6, 1.6, -4.5), v(-3.1, 1.64, -4.3), WOOD);
    for i in 0..9 {
        let x = -5.4 + i as f32 * 0.28;
        let colour = if i % 3 == 0 {
            (0.4, 0.08, 0.1)
        } else {
            (0.62, 0.42, 0.2)
        };
        k.column(v(x, 1.64, -4.4), 0.05, 0.3, colour);
    }
    b.still(k, Prop::Table);
}

pub(super) fn cabin(b: &mut Builder, rng: &mut ChaCha8Rng) {
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
