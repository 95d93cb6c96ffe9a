//! The game's mods and hot reload, headless: a reloaded dialogue file shows at once where the
//! player is (by stable ids), a broken one leaves the last good story running with its
//! problems listed, a saved file is noticed by the watcher, and a broken mod is left out with
//! its problems while the rest runs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::state::app::StatesPlugin;
use her::game::mods::{
    Dialogue, DialogueWatch, ModList, ReloadDialogue, ReloadProblems, load_dialogue,
};
use her::game::runner::{PlayerInput, Showing, StoryRunner};
use her::game::settings::Settings;
use her::game::{LoadedStory, Screen, mods, runner};

/// A copy of the mini story to edit.
fn mini_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["story.ron", "one.ron", "two.ron"] {
        std::fs::copy(
            Path::new("tests/fixtures/mini").join(name),
            dir.path().join(name),
        )
        .unwrap();
    }
    dir
}

fn app(base: &Path, mods: Vec<PathBuf>) -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, StatesPlugin));
    her::game::frame(&mut app);
    app.add_plugins((runner::plugin, mods::reload_plugin));
    let dialogue = Dialogue {
        base: base.to_path_buf(),
        mods,
        disabled: Vec::new(),
    };
    let (report, list) = load_dialogue(&dialogue);
    let story = Arc::new(report.story.expect("loads"));
    app.insert_resource(LoadedStory(story.clone()))
        .insert_resource(StoryRunner::new(story, 1))
        .insert_resource(dialogue)
        .insert_resource(list);
    app.world_mut()
        .resource_mut::<NextState<Screen>>()
        .set(Screen::Playing);
    app.update();
    app
}

fn showing(app: &App) -> Showing {
    app.world().resource::<StoryRunner>().showing.clone()
}

fn send(app: &mut App, input: PlayerInput) {
    app.world_mut().write_message(input);
    app.update();
}

fn reload(app: &mut App) {
    app.world_mut().write_message(ReloadDialogue);
    app.update();
}

/// Advances until a line with this id is shown.
fn to_line(app: &mut App, id: &str) {
    for _ in 0..100 {
        if matches!(showing(app), Showing::Line { id: ref i, .. } if i == id) {
            return;
        }
        if showing(app).is_choice() {
            send(app, PlayerInput::Choose(0));
        } else {
            send(app, PlayerInput::Advance);
        }
    }
    panic!("the line {id} never came: {:?}", showing(app));
}

fn line_text(app: &App) -> (String, String) {
    match showing(app) {
        Showing::Line { id, text, .. } => (id, text),
        other => panic!("not a line: {other:?}"),
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "the edit must apply");
    std::fs::write(path, text.replace(from, to)).unwrap();
}

#[test]
fn a_reloaded_line_shows_at_once_and_the_player_keeps_their_place() {
    let dir = mini_copy();
    let mut app = app(dir.path(), Vec::new());
    // One decision in, at her line in the second node.
    to_line(&mut app, "bd5882");
    to_line(&mut app, "184bff");
    let decisions = app.world().resource::<StoryRunner>().state.decisions.len();
    assert_eq!(decisions, 1);

    edit(
        &dir.path().join("one.ron"),
        "First night, and I like this already.",
        "First night, and I like this more than I can say.",
    );
    reload(&mut app);
    assert_eq!(
        line_text(&app),
        (
            "184bff".into(),
            "First night, and I like this more than I can say.".into()
        ),
        "the same line, as the file now says it"
    );
    let runner = app.world().resource::<StoryRunner>();
    assert_eq!(runner.state.decisions.len(), decisions, "the place is kept");
    assert!(runner.notice.is_none(), "{:?}", runner.notice);
    assert!(app.world().resource::<ReloadProblems>().0.is_empty());
    // The story goes on from there.
    send(&mut app, PlayerInput::Advance);
    assert!(showing(&app).is_choice(), "{:?}", showing(&app));
}

#[test]
fn a_broken_file_shows_its_problems_while_the_last_good_story_runs() {
    let dir = mini_copy();
    let mut app = app(dir.path(), Vec::new());
    to_line(&mut app, "e75dc0");
    let before = app.world().resource::<LoadedStory>().0.clone();
    let on_screen = line_text(&app);

    edit(&dir.path().join("one.ron"), "id: \"fear\",", "id: \"fear\"");
    reload(&mut app);
    let problems = app.world().resource::<ReloadProblems>().0.clone();
    assert!(!problems.is_empty(), "the problems are listed");
    assert!(problems[0].contains("one.ron:"), "{problems:?}");
    assert!(
        Arc::ptr_eq(&before, &app.world().resource::<LoadedStory>().0),
        "the last good story keeps running"
    );
    assert_eq!(line_text(&app), on_screen);
    send(&mut app, PlayerInput::Advance);
    assert!(matches!(
        showing(&app),
        Showing::Line { .. } | Showing::Choices(_)
    ));

    // Fixed: the problems go, the new story runs.
    edit(&dir.path().join("one.ron"), "id: \"fear\"", "id: \"fear\",");
    reload(&mut app);
    assert!(app.world().resource::<ReloadProblems>().0.is_empty());
    assert!(!Arc::ptr_eq(
        &before,
        &app.world().resource::<LoadedStory>().0
    ));
}

#[test]
fn saving_a_dialogue_file_reloads_it_by_itself() {
    let dir = mini_copy();
    let mut app = app(dir.path(), Vec::new());
    app.insert_resource(DialogueWatch::start(&[dir.path().to_path_buf()]).expect("a watcher"));
    to_line(&mut app, "e75dc0");
    // Let the watcher settle before the save.
    std::thread::sleep(Duration::from_millis(100));
    edit(&dir.path().join("one.ron"), "Hello. I'm", "Hi. I'm");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        app.update();
        if line_text(&app).1.starts_with("Hi.") {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        line_text(&app),
        ("e75dc0".into(), "Hi. I'm Samantha.".into())
    );
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "reloaded in {:?}",
        start.elapsed()
    );
}

#[test]
fn a_broken_mod_is_left_out_with_its_problems_and_the_player_can_switch_mods() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good");
    let bad = dir.path().join("bad");
    for (folder, patch) in [
        (
            &good,
            r#"Patch(ops: [AddChoices(to: "@base/one.start", choices: [(text: "Wave.", id: "wave", goto: "fear")])])"#,
        ),
        (
            &bad,
            r#"Patch(ops: [AddChoices(to: "@base/one.nowhere", choices: [])])"#,
        ),
    ] {
        std::fs::create_dir_all(folder).unwrap();
        std::fs::write(
            folder.join("mod.ron"),
            r#"Mod(name: "A mod", version: "1.0.0", author: "Someone")"#,
        )
        .unwrap();
        std::fs::write(folder.join("p.ron"), patch).unwrap();
    }
    let mini = PathBuf::from("tests/fixtures/mini");
    let mut app = app(&mini, vec![good.clone(), bad.clone()]);
    let rows = app.world().resource::<ModList>().0.clone();
    let row = |f: &Path| rows.iter().find(|r| r.folder == f).unwrap().clone();
    assert!(row(&bad).broken && !row(&bad).problems.is_empty());
    assert!(
        row(&bad).problems[0].contains("E029"),
        "{:?}",
        row(&bad).problems
    );
    let g = row(&good);
    assert_eq!(g.place, Some(1));
    let info = g.info.unwrap();
    assert_eq!(
        (info.version.as_deref(), info.author.as_deref()),
        (Some("1.0.0"), Some("Someone"))
    );
    assert_eq!(
        app.world().resource::<LoadedStory>().0.mod_labels(),
        ["good 1.0.0".to_owned()]
    );

    // The player switches the good mod off: the story reloads without it.
    app.insert_resource(Settings {
        disabled_mods: vec![good.clone()],
        ..Settings::default()
    });
    app.update();
    app.update();
    assert!(
        app.world()
            .resource::<LoadedStory>()
            .0
            .mod_labels()
            .is_empty()
    );
    let rows = app.world().resource::<ModList>().0.clone();
    assert!(!rows.iter().find(|r| r.folder == good).unwrap().enabled);
}
