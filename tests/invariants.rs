//! The architecture's invariants, checked: the story engine knows nothing of Bevy.

#[test]
fn the_story_engine_does_not_use_bevy() {
    let mut offenders = Vec::new();
    for entry in walkdir::WalkDir::new("src/story") {
        let path = entry.expect("entry").into_path();
        if !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        // Code, not comments: the docs may say that the engine knows nothing of it.
        let code = text.lines().filter(|l| !l.trim_start().starts_with("//"));
        if code.into_iter().any(|l| l.to_lowercase().contains("bevy")) {
            offenders.push(path);
        }
    }
    assert!(offenders.is_empty(), "Bevy is named in {offenders:?}");
}

#[test]
fn the_engine_builds_without_default_features() {
    // The Cargo manifest keeps the game behind a feature: the engine's dependencies must not
    // include Bevy unconditionally.
    let manifest = std::fs::read_to_string("Cargo.toml").expect("Cargo.toml");
    for line in manifest
        .lines()
        .filter(|l| l.trim_start().starts_with("bevy"))
    {
        assert!(
            line.contains("optional = true"),
            "Bevy must be optional: {line}"
        );
    }
}

#[test]
fn no_part_of_the_loader_or_the_game_is_over_about_700_lines() {
    // A newcomer reads a file at a time: the loader is split along its seams (issue: a loader a
    // newcomer can read), the game into a room per screen.
    let mut long = Vec::new();
    for dir in ["src/story/load", "src/game"] {
        for entry in walkdir::WalkDir::new(dir) {
            let path = entry.expect("entry").into_path();
            if path.extension().is_some_and(|e| e == "rs") {
                let lines = std::fs::read_to_string(&path)
                    .unwrap_or_default()
                    .lines()
                    .count();
                if lines > 750 {
                    long.push((path, lines));
                }
            }
        }
    }
    assert!(long.is_empty(), "files over ~700 lines: {long:?}");
}
