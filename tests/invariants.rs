//! The architecture's invariants, checked: the story engine knows nothing of Bevy.

#[test]
fn the_story_engine_does_not_use_bevy() {
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir("src/story").expect("src/story") {
        let path = entry.expect("entry").path();
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
