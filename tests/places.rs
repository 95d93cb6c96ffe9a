//! The places the story goes, as a player would tell them apart: headless, each place's own
//! props are built (the wheel at the fair, the sea at the beach, the room around the
//! apartment's window) and people walk where the place has them, as many as its hour brings;
//! every colour the city can take is warm (no blue anywhere); and in a real window under Xvfb
//! every place is photographed at golden hour, warm, not blank, and unlike every other.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use bevy::mesh::VertexAttributeValues;
use bevy::prelude::*;
use bevy::state::app::StatesPlugin;
use bevy::time::TimeUpdateStrategy;
use her::game::city::{
    self, CityLook, CityScene, Motion, PLACES, Place, Prop, Walker, crowd, look_for,
};
use her::game::runner::{self, SceneChange};
use her::story::format::{Location, Mood, SceneDef, TimeOfDay};

use crate::smoke::{can_run, in_ci, stats};

/// The game's city, headless: meshes and materials as assets, nothing to draw them.
fn city_app() -> App {
    let mut app = App::new();
    app.add_plugins((
        MinimalPlugins,
        StatesPlugin,
        bevy::asset::AssetPlugin::default(),
    ));
    app.init_asset::<Mesh>().init_asset::<StandardMaterial>();
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
        250,
    )));
    her::game::frame(&mut app);
    app.add_plugins((runner::plugin, city::plugin));
    app.update();
    app
}

/// Goes to a place at a time, with a cut (no fade), and lets a frame pass.
fn go(app: &mut App, place: Location, time: TimeOfDay) {
    app.world_mut().write_message(SceneChange(SceneDef {
        location: Some(place),
        time: Some(time),
        mood: Some(Mood::Warm),
        cut: true,
        ..default()
    }));
    app.update();
}

/// The place an entity belongs to: its nearest ancestor with a `Place`.
fn place_of(world: &World, mut e: Entity) -> Option<Location> {
    loop {
        if let Some(p) = world.get::<Place>(e) {
            return Some(p.0);
        }
        e = world.get::<ChildOf>(e)?.parent();
    }
}

#[test]
fn every_place_has_its_own_props_and_people() {
    let mut app = city_app();
    let world = app.world_mut();
    let mut props: HashMap<Location, HashSet<String>> = HashMap::new();
    let mut q = world.query::<(Entity, &Prop)>();
    let found: Vec<(Entity, Prop)> = q.iter(world).map(|(e, p)| (e, *p)).collect();
    for (e, prop) in found {
        let place = place_of(world, e).expect("every prop belongs to a place");
        props.entry(place).or_default().insert(format!("{prop:?}"));
    }
    let wanted: [(Location, &[&str]); 9] = [
        (Location::Apartment, &["Room", "Window", "Desk", "Bed"]),
        (Location::Office, &["Room", "Window", "Partitions"]),
        (Location::Street, &["Shopfronts", "Lamps", "Crossing"]),
        (Location::Subway, &["Platform", "Train"]),
        (Location::Beach, &["Sand", "Sea", "Wave", "Umbrellas"]),
        (
            Location::Fair,
            &["Wheel", "Gondola", "Carousel", "StringLights"],
        ),
        (Location::Restaurant, &["Room", "Window", "Table"]),
        (
            Location::Cabin,
            &["Room", "Window", "Fireplace", "Snow", "Snowflake"],
        ),
        (Location::Rooftop, &["Parapet"]),
    ];
    for (place, names) in wanted {
        let has = props.get(&place).cloned().unwrap_or_default();
        for name in names {
            assert!(has.contains(*name), "{place:?} has no {name}: {has:?}");
        }
    }
    // Every prop is drawn: it has a mesh among its children.
    let mut q = world.query_filtered::<&Children, With<Prop>>();
    for children in q.iter(world) {
        assert!(
            children.iter().any(|c| world.get::<Mesh3d>(c).is_some()),
            "a prop with nothing to draw"
        );
    }

    // People where the place has them, most talking to someone unseen (the light at the ear).
    let mut q = world.query::<(Entity, &Walker, Option<&Children>)>();
    let walkers: Vec<(Entity, Location, bool)> = q
        .iter(world)
        .map(|(e, w, c)| (e, w.place, c.is_some_and(|c| !c.is_empty())))
        .collect();
    let mut count: HashMap<Location, usize> = HashMap::new();
    for (e, place, _) in &walkers {
        assert_eq!(place_of(world, *e), Some(*place), "a walker in its place");
        *count.entry(*place).or_default() += 1;
    }
    for (place, at_least) in [
        (Location::Street, 40),
        (Location::Fair, 40),
        (Location::Beach, 20),
        (Location::Subway, 10),
    ] {
        let n = count.get(&place).copied().unwrap_or(0);
        assert!(n >= at_least, "{place:?}: {n} people");
    }
    for place in [Location::Apartment, Location::Cabin, Location::Rooftop] {
        assert_eq!(
            count.get(&place),
            None,
            "nobody walks through the {place:?}"
        );
    }
    let talking = walkers.iter().filter(|w| w.2).count();
    assert!(
        talking * 2 > walkers.len(),
        "most talk to someone unseen: {talking} of {}",
        walkers.len()
    );

    // Only the place the story is at is shown; its crowd follows the hour.
    let visible_people = |app: &mut App, place: Location| {
        let world = app.world_mut();
        let mut q = world.query::<(&Walker, &Visibility)>();
        q.iter(world)
            .filter(|(w, v)| w.place == place && **v != Visibility::Hidden)
            .count()
    };
    go(&mut app, Location::Fair, TimeOfDay::GoldenHour);
    let world = app.world_mut();
    let mut q = world.query::<(&Place, &Visibility)>();
    for (place, visibility) in q.iter(world) {
        let shown = *visibility != Visibility::Hidden;
        assert_eq!(
            shown,
            place.0 == Location::Fair,
            "{:?} shown: {shown}",
            place.0
        );
    }
    assert!(visible_people(&mut app, Location::Fair) >= 40);
    go(&mut app, Location::Street, TimeOfDay::Day);
    let day = visible_people(&mut app, Location::Street);
    go(&mut app, Location::Street, TimeOfDay::Night);
    let night = visible_people(&mut app, Location::Street);
    assert!(
        night * 2 < day,
        "the street empties at night: {night} of {day}"
    );
    assert!(night > 0, "but not entirely");

    // The wheel turns, people walk, the train comes in.
    go(&mut app, Location::Fair, TimeOfDay::GoldenHour);
    let snapshot = |app: &mut App| {
        let world = app.world_mut();
        let mut wheel = world.query_filtered::<&Transform, With<Motion>>();
        let turned: Vec<Transform> = wheel.iter(world).copied().collect();
        let mut people = world.query_filtered::<&Transform, With<Walker>>();
        let walked: Vec<Transform> = people.iter(world).copied().collect();
        (turned, walked)
    };
    let before = snapshot(&mut app);
    for _ in 0..8 {
        app.update();
    }
    let after = snapshot(&mut app);
    let moved = |a: &[Transform], b: &[Transform]| {
        a.iter()
            .zip(b)
            .filter(|(a, b)| a.translation != b.translation || a.rotation != b.rotation)
            .count()
    };
    assert!(
        moved(&before.0, &after.0) * 2 > before.0.len(),
        "the wheel, the gondolas, the carousel, the waves and the snow move"
    );
    assert!(
        moved(&before.1, &after.1) * 2 > before.1.len(),
        "people walk"
    );
}

#[test]
fn a_new_place_fades_through_the_haze_unless_the_story_cuts() {
    let mut app = city_app();
    let start = app.world().resource::<CityLook>().shown;
    let to = if start == Location::Beach {
        Location::Fair
    } else {
        Location::Beach
    };
    app.world_mut().write_message(SceneChange(SceneDef {
        location: Some(to),
        ..default()
    }));
    app.update();
    // Still the old place, hazing over.
    let look = *app.world().resource::<CityLook>();
    assert_eq!(look.shown, start);
    assert!(look.haze > 0.0 && look.haze < 1.0, "{}", look.haze);
    let mut deepest = 0.0f32;
    for _ in 0..40 {
        app.update();
        let look = app.world().resource::<CityLook>();
        deepest = deepest.max(look.haze);
    }
    let look = *app.world().resource::<CityLook>();
    assert_eq!(look.shown, to, "the new place, after the haze");
    assert!(deepest >= 1.0, "the change happens behind full haze");
    assert_eq!(look.haze, 0.0, "and the haze clears");
    let scene = *app.world().resource::<CityScene>();
    assert!(look.settled(&scene));
    // A cut: there at once.
    let back = start;
    app.world_mut().write_message(SceneChange(SceneDef {
        location: Some(back),
        cut: true,
        ..default()
    }));
    app.update();
    let look = *app.world().resource::<CityLook>();
    assert_eq!((look.shown, look.haze), (back, 0.0));
}

/// No blue: a colour whose blue is above its red, or whose hue is past amber toward blue.
fn blue(c: [f32; 3]) -> bool {
    let [r, g, b] = c;
    b > r + 0.02 || (b > g + 0.02 && b > r * 0.9 && r < 0.2 && b > 0.02)
}

#[test]
fn every_look_and_every_surface_is_warm() {
    let times = [
        TimeOfDay::Morning,
        TimeOfDay::Day,
        TimeOfDay::GoldenHour,
        TimeOfDay::Dusk,
        TimeOfDay::Night,
        TimeOfDay::Dawn,
    ];
    let moods = [
        Mood::Warm,
        Mood::Tender,
        Mood::Playful,
        Mood::Bright,
        Mood::Lonely,
        Mood::Grey,
        Mood::Dim,
        Mood::Dark,
    ];
    for location in PLACES {
        for time in times {
            for mood in moods {
                let look = look_for(&CityScene {
                    location,
                    time,
                    mood,
                });
                for (name, c) in [
                    ("sky", look.sky),
                    ("zenith", look.zenith),
                    ("fog", look.fog),
                    ("sun", look.sun),
                    ("disc", look.disc),
                    ("ambient", look.ambient),
                ] {
                    assert!(
                        !blue(c.to_array()),
                        "{location:?} {time:?} {mood:?}: the {name} is blue: {c}"
                    );
                }
            }
        }
    }
    // Every vertex of every place, every person, every prop.
    let app = city_app();
    let meshes = app.world().resource::<Assets<Mesh>>();
    let mut painted = 0;
    for (_, mesh) in meshes.iter() {
        if let Some(VertexAttributeValues::Float32x4(colours)) =
            mesh.attribute(Mesh::ATTRIBUTE_COLOR)
        {
            for c in colours {
                painted += 1;
                assert!(!blue([c[0], c[1], c[2]]), "a blue vertex: {c:?}");
            }
        }
    }
    assert!(
        painted > 10_000,
        "the places are painted: {painted} vertices"
    );
    // Crowds by place and hour: nobody at home but him, everyone at the fair at golden hour.
    assert_eq!(crowd(Location::Apartment, TimeOfDay::Night), 0.0);
    assert_eq!(crowd(Location::Fair, TimeOfDay::GoldenHour), 1.0);
}

/// The upper part of a screenshot, above the dialogue box: its pixels, row by row.
fn upper(path: &Path) -> image::RgbImage {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    // The dialogue box's top sits at about 0.6 of the height: keep the part above it.
    let h = img.height() * 56 / 100;
    image::imageops::crop_imm(&img, 0, 0, img.width(), h).to_image()
}

/// Mean absolute difference of two pictures, over every channel, out of 255.
fn difference(a: &image::RgbImage, b: &image::RgbImage) -> f32 {
    let total: u64 = a
        .pixels()
        .zip(b.pixels())
        .map(|(p, q)| {
            (0..3)
                .map(|i| u64::from(p.0[i].abs_diff(q.0[i])))
                .sum::<u64>()
        })
        .sum();
    total as f32 / (a.width() * a.height() * 3) as f32
}

#[test]
fn every_place_in_a_real_window_is_its_own() {
    if !can_run() {
        assert!(
            !in_ci(),
            "CI is set, but this machine cannot make a window (xvfb-run and lavapipe)"
        );
        eprintln!("places test skipped: needs xvfb-run and Mesa's lavapipe");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let shots = out.path().join("shots");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 800x600x24"])
        .arg(env!("CARGO_BIN_EXE_her"))
        .args([
            "--autoplay",
            "1",
            "--window",
            "640x360",
            "--max-seconds",
            "400",
        ])
        .arg("--dialogue")
        .arg(root.join("tests/fixtures/places"))
        .arg("--screenshots")
        .arg(&shots)
        .arg("--data-dir")
        .arg(out.path().join("data"))
        .env("WGPU_BACKEND", "vulkan")
        .current_dir(root)
        .output()
        .expect("run the game");
    let said = String::from_utf8_lossy(&run.stdout);
    print!("{said}");
    assert!(run.status.success(), "the game exited with {}", run.status);
    let keep = root.join("target").join("places");
    let _ = std::fs::create_dir_all(&keep);
    let mut pictures = Vec::new();
    for place in PLACES {
        let name = city::photo_name(place);
        let path = shots.join(format!("{name}.png"));
        assert!(path.exists(), "no photograph of the {place:?}");
        let _ = std::fs::copy(&path, keep.join(format!("{name}.png")));
        let s = stats(&path);
        assert!(s.distinct > 40, "{name}: blank ({} colours)", s.distinct);
        assert!(s.warm > 0.85, "{name}: not warm ({:.2})", s.warm);
        assert!(s.blue < 0.01, "{name}: {:.3} blue", s.blue);
        pictures.push((name, upper(&path)));
    }
    for (i, (a, pa)) in pictures.iter().enumerate() {
        for (b, pb) in &pictures[i + 1..] {
            let d = difference(pa, pb);
            assert!(d > 20.0, "{a} and {b} look alike: {d:.1} of 255 apart");
        }
    }
}

/// A mesh and its material: each distinct pair is at least one draw.
type Draw = (AssetId<Mesh>, Option<AssetId<city::FlatMaterial>>);

#[test]
fn each_place_is_a_few_draws() {
    let mut app = city_app();
    let world = app.world_mut();
    let mut q = world.query::<(Entity, &Mesh3d, Option<&MeshMaterial3d<city::FlatMaterial>>)>();
    let meshes: Vec<(Entity, Draw)> = q
        .iter(world)
        .map(|(e, m, f)| (e, (m.0.id(), f.map(|f| f.0.id()))))
        .collect();
    let mut kinds: HashMap<Location, HashSet<Draw>> = HashMap::new();
    for (e, draw) in meshes {
        if let Some(place) = place_of(world, e) {
            kinds.entry(place).or_default().insert(draw);
        }
    }
    for place in PLACES {
        let n = kinds.get(&place).map_or(0, HashSet::len);
        // Static props merged per surface, copies (people, gondolas, flakes) sharing a mesh:
        // each distinct mesh and material is at least one draw.
        assert!(
            (2..=20).contains(&n),
            "{place:?}: {n} distinct meshes and materials"
        );
    }
}
