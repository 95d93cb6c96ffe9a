//! A kit of shapes for building a place: boxes, cylinders, cones, spheres and rings, each
//! painted with its own colour in its vertices and merged into one mesh per kind of surface
//! (lit by the time of day, or glowing), so a whole place is a couple of draws however many
//! props it holds.

use bevy::mesh::VertexAttributeValues;
use bevy::prelude::*;

use super::lin;

/// The unit shapes every prop is cut from.
#[derive(Clone)]
pub(super) struct Shapes {
    cube: Mesh,
    cylinder: Mesh,
    cone: Mesh,
    sphere: Mesh,
}

impl Shapes {
    /// Unit shapes at low resolution: the look is shapes and light, not detail.
    pub(super) fn new() -> Self {
        Shapes {
            cube: Mesh::from(Cuboid::new(1.0, 1.0, 1.0)),
            cylinder: Cylinder::new(0.5, 1.0).mesh().resolution(12).build(),
            cone: Cone {
                radius: 0.5,
                height: 1.0,
            }
            .mesh()
            .resolution(12)
            .build(),
            sphere: Sphere::new(0.5).mesh().uv(10, 6),
        }
    }
}

/// The light a face takes from its direction, baked in: tops brightest, the faces toward the
/// viewer next, undersides darkest (the same shade as the skyline's cubes).
fn shade(n: Vec3) -> f32 {
    0.6 + 0.4 * n.y.max(0.0) - 0.3 * (-n.y).max(0.0) + 0.22 * n.z.max(0.0) + 0.08 * n.x.max(0.0)
}

/// A place's meshes as they are built: one for surfaces the time of day lights, one for lights.
pub(super) struct Kit<'a> {
    shapes: &'a Shapes,
    /// Whether faces carry their own shade (flat drawing) or Bevy lights them (high detail).
    bake: bool,
    lit: Option<Mesh>,
    glow: Option<Mesh>,
}

impl<'a> Kit<'a> {
    /// An empty kit.
    pub(super) fn new(shapes: &'a Shapes, bake: bool) -> Self {
        Kit {
            shapes,
            bake,
            lit: None,
            glow: None,
        }
    }

    /// Adds `unit` placed by `at`, painted `srgb`; glowing surfaces keep their colour at night.
    fn add(&mut self, unit: &Mesh, at: Transform, srgb: (f32, f32, f32), glow: bool) {
        let mut part = unit.clone().transformed_by(at);
        let colour = lin(srgb.0, srgb.1, srgb.2);
        let bake = self.bake && !glow;
        let colours: Vec<[f32; 4]> = match part.attribute(Mesh::ATTRIBUTE_NORMAL) {
            Some(VertexAttributeValues::Float32x3(normals)) => normals
                .iter()
                .map(|n| {
                    let s = if bake { shade(Vec3::from(*n)) } else { 1.0 };
                    [colour.x * s, colour.y * s, colour.z * s, 1.0]
                })
                .collect(),
            _ => Vec::new(),
        };
        part.insert_attribute(Mesh::ATTRIBUTE_COLOR, colours);
        let into = if glow { &mut self.glow } else { &mut self.lit };
        match into {
            Some(mesh) => {
                // Every part has the same attributes and topology: merging cannot fail.
                let merged = mesh.merge(&part);
                debug_assert!(merged.is_ok(), "parts of one kit merge: {merged:?}");
            }
            None => *into = Some(part),
        }
    }

    /// An axis-aligned box from its centre and size.
    pub(super) fn cube(&mut self, centre: Vec3, size: Vec3, srgb: (f32, f32, f32)) {
        let unit = self.shapes.cube.clone();
        self.add(
            &unit,
            Transform::from_translation(centre).with_scale(size),
            srgb,
            false,
        );
    }

    /// A box between two heights: `min` and `max` corners.
    pub(super) fn slab(&mut self, min: Vec3, max: Vec3, srgb: (f32, f32, f32)) {
        self.cube((min + max) / 2.0, (max - min).abs(), srgb);
    }

    /// A glowing box (a lamp, a lit window, a screen).
    pub(super) fn light(&mut self, centre: Vec3, size: Vec3, srgb: (f32, f32, f32)) {
        let unit = self.shapes.cube.clone();
        self.add(
            &unit,
            Transform::from_translation(centre).with_scale(size),
            srgb,
            true,
        );
    }

    /// A unit box placed, turned and sized by `at`.
    pub(super) fn turned(&mut self, at: Transform, srgb: (f32, f32, f32)) {
        let unit = self.shapes.cube.clone();
        self.add(&unit, at, srgb, false);
    }

    /// An upright cylinder standing on `base`.
    pub(super) fn column(&mut self, base: Vec3, radius: f32, height: f32, srgb: (f32, f32, f32)) {
        let unit = self.shapes.cylinder.clone();
        self.add(
            &unit,
            Transform::from_translation(base + Vec3::Y * height / 2.0).with_scale(Vec3::new(
                radius * 2.0,
                height,
                radius * 2.0,
            )),
            srgb,
            false,
        );
    }

    /// A cylinder placed by `at` (unit: radius 0.5, height 1, along y).
    pub(super) fn cylinder(&mut self, at: Transform, srgb: (f32, f32, f32)) {
        let unit = self.shapes.cylinder.clone();
        self.add(&unit, at, srgb, false);
    }

    /// A cone standing on `base`, point up.
    pub(super) fn cone(&mut self, base: Vec3, radius: f32, height: f32, srgb: (f32, f32, f32)) {
        let unit = self.shapes.cone.clone();
        self.add(
            &unit,
            Transform::from_translation(base + Vec3::Y * height / 2.0).with_scale(Vec3::new(
                radius * 2.0,
                height,
                radius * 2.0,
            )),
            srgb,
            false,
        );
    }

    /// A ball.
    pub(super) fn ball(&mut self, centre: Vec3, radius: f32, srgb: (f32, f32, f32)) {
        let unit = self.shapes.sphere.clone();
        self.add(
            &unit,
            Transform::from_translation(centre).with_scale(Vec3::splat(radius * 2.0)),
            srgb,
            false,
        );
    }

    /// A glowing ball (a bulb, a paper lantern, the moon's lamp).
    pub(super) fn bulb(&mut self, centre: Vec3, radius: f32, srgb: (f32, f32, f32)) {
        let unit = self.shapes.sphere.clone();
        self.add(
            &unit,
            Transform::from_translation(centre).with_scale(Vec3::splat(radius * 2.0)),
            srgb,
            true,
        );
    }

    /// A beam from `a` to `b`, `thick` across.
    pub(super) fn beam(&mut self, a: Vec3, b: Vec3, thick: f32, srgb: (f32, f32, f32)) {
        let along = b - a;
        let at = Transform::from_translation((a + b) / 2.0)
            .with_rotation(Quat::from_rotation_arc(
                Vec3::Y,
                along.normalize_or(Vec3::Y),
            ))
            .with_scale(Vec3::new(thick, along.length(), thick));
        self.turned(at, srgb);
    }

    /// A string of small lights hanging between `a` and `b`, sagging `sag` in the middle.
    pub(super) fn lights_between(&mut self, a: Vec3, b: Vec3, sag: f32, count: usize) {
        let colours = [(1.0, 0.78, 0.45), (1.0, 0.55, 0.35), (1.0, 0.9, 0.7)];
        for i in 0..=count {
            let t = i as f32 / count as f32;
            let p = a.lerp(b, t) - Vec3::Y * sag * 4.0 * t * (1.0 - t);
            self.light(p, Vec3::splat(0.16), colours[i % colours.len()]);
        }
    }

    /// The meshes built: lit surfaces and lights (either may be empty).
    pub(super) fn finish(self) -> (Option<Mesh>, Option<Mesh>) {
        (self.lit, self.glow)
    }
}
