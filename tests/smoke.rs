//! The real game in a real window: under Xvfb with Mesa's software Vulkan (lavapipe), autoplay
//! from the title screen, with screenshots of the title, one of her lines half typed, a moment
//! with choices (its first option focused from the keyboard, then taken with Enter), the
//! letter view, the pause menu, the save screen and the flowchart; then assertions on what a player would see: not blank, the film's warm palette (red to
//! amber hues dominate, blue nearly absent), and the interface present.
//!
//! Needs `xvfb-run` and lavapipe (`.ci/run` installs them). Without them the test says so and
//! passes, so `cargo test` still works on a bare machine; but where `CI` is set (as every CI
//! service sets it) a machine that cannot make a window fails the test: CI must never pass a
//! smoke test it did not run.

use std::path::Path;
use std::process::Command;

/// Whether this machine can open a window without a screen.
pub(crate) fn can_run() -> bool {
    let xvfb = Command::new("sh")
        .args(["-c", "command -v xvfb-run"])
        .output()
        .is_ok_and(|o| o.status.success());
    let lavapipe = Path::new("/usr/share/vulkan/icd.d")
        .read_dir()
        .is_ok_and(|mut d| {
            d.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().contains("lvp")))
        });
    xvfb && lavapipe
}

/// How many pixels of a screenshot are within `tolerance` of a colour (each channel).
fn near(path: &Path, rgb: [u8; 3], tolerance: u8) -> usize {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    img.pixels()
        .filter(|p| p.0.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= tolerance))
        .count()
}

/// Colour statistics of a screenshot.
pub(crate) struct Stats {
    /// Distinct colours (quantised): a blank frame has one or two.
    pub(crate) distinct: usize,
    /// Share of coloured pixels whose hue is red to amber.
    pub(crate) warm: f32,
    /// Share of pixels that are clearly blue.
    pub(crate) blue: f32,
    /// Share of very light pixels (the interface's paper and text).
    pub(crate) light: f32,
}

pub(crate) fn stats(path: &Path) -> Stats {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    let mut colours = std::collections::HashSet::new();
    let (mut warm, mut coloured, mut blue, mut light) = (0usize, 0usize, 0usize, 0usize);
    let total = (img.width() * img.height()) as f32;
    for p in img.pixels() {
        let [r, g, b] = p.0.map(i32::from);
        colours.insert((r / 16, g / 16, b / 16));
        let max = r.max(g).max(b);
        let min = r.min(g).min(b);
        if max - min > 12 {
            coloured += 1;
            if r >= g && g >= b - 4 || r >= b && max == r {
                warm += 1;
            }
        }
        if b > r + 16 && b > g {
            blue += 1;
        }
        if min > 200 {
            light += 1;
        }
    }
    Stats {
        distinct: colours.len(),
        warm: warm as f32 / coloured.max(1) as f32,
        blue: blue as f32 / total,
        light: light as f32 / total,
    }
}

/// Whether this is a CI run (`CI` set to anything but empty, `0` or `false`).
pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false" | "FALSE"))
}

#[test]
fn the_game_in_a_real_window_looks_like_the_film() {
    if !can_run() {
        assert!(
            !in_ci(),
            "CI is set, but this machine cannot make a window: the smoke test needs xvfb-run and \
             Mesa's lavapipe (.ci/setup installs them)"
        );
        eprintln!("smoke test skipped: needs xvfb-run and Mesa's lavapipe (.ci/run installs them)");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let shots = out.path().join("shots");
    let run = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 800x600x24"])
        .arg(env!("CARGO_BIN_EXE_her"))
        .args([
            "--autoplay",
            "7",
            "--window",
            "480x270",
            "--max-seconds",
            "600",
            "--screenshots-only",
        ])
        .arg("--screenshots")
        .arg(&shots)
        .arg("--data-dir")
        .arg(out.path().join("data"))
        .env("WGPU_BACKEND", "vulkan")
        .env("CARGO_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run the game");
    let said = String::from_utf8_lossy(&run.stdout);
    print!("{said}");
    assert!(run.status.success(), "the game exited with {}", run.status);
    assert!(
        said.contains("autoplay:"),
        "{} did not play: built without the game? (a `--no-default-features` build into the same \
         target folder replaces it)",
        env!("CARGO_BIN_EXE_her")
    );
    // The keyboard alone reaches a choice and takes it (Tab, then Enter): the gamepad's road too.
    assert!(
        said.contains("a choice was taken with the keyboard"),
        "the keyboard did not take a choice"
    );
    for name in [
        "title",
        "line",
        "choice",
        "letter",
        "pause",
        "save",
        "flowchart",
    ] {
        let path = shots.join(format!("{name}.png"));
        assert!(path.exists(), "no screenshot of the {name}");
        let s = stats(&path);
        // Keep a copy for people to look at.
        let keep = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join("smoke");
        let _ = std::fs::create_dir_all(&keep);
        let _ = std::fs::copy(&path, keep.join(format!("{name}.png")));
        assert!(
            s.distinct > 40,
            "{name}: looks blank ({} colours)",
            s.distinct
        );
        assert!(
            s.warm > 0.85,
            "{name}: not warm enough ({:.2} of coloured pixels red to amber)",
            s.warm
        );
        assert!(
            s.blue < 0.01,
            "{name}: {:.3} of the pixels are blue",
            s.blue
        );
        assert!(
            s.light > 0.003,
            "{name}: no interface visible ({:.4} light pixels)",
            s.light
        );
    }
    // The flowchart, opened over play in a new game: the chapter's nodes not yet seen are
    // locked shapes (their own dark fill), and this playthrough's path and the current node are
    // drawn in coral.
    let chart = shots.join("flowchart.png");
    let locked = near(&chart, [92, 52, 46], 3);
    let coral = near(&chart, [214, 96, 74], 3);
    assert!(locked > 400, "flowchart: no locked nodes ({locked} pixels)");
    assert!(
        coral > 150,
        "flowchart: the current path is not highlighted ({coral} pixels)"
    );
}
