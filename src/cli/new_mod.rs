//! `her new-mod NAME`: writes a working example mod, the starting point of `docs/modding.md`:
//! a manifest, and a patch file with a new branch off a chapter-1 node, a variant for one of
//! her lines and a new fragment for a letter. It checks clean and its branch is reachable by
//! `her explore` (a test holds it to that, and to the copy in `docs/examples/mods/`).

use std::path::Path;
use std::process::ExitCode;

/// The files of the example mod called `id`: (file name, text).
pub fn example_mod(id: &str) -> Vec<(&'static str, String)> {
    let manifest = format!(
        r#"// A mod: what it is and what it needs (docs/modding.md). Every field but `name` is optional.
Mod(
    format: 2,
    // Its id: what other mods require, and the `@{id}/...` that names its ids from elsewhere.
    id: "{id}",
    name: "The Long Way Home",
    version: "0.1.0",
    author: "Your name here",
    // Other mods this one needs, with the versions it works with: {{ "other_mod": "^1.0" }}.
    requires: {{}},
)
"#
    );
    let patches = format!(
        r#"// Patches: additions to the base story, each finding what it extends by a stable id.
// `@base/...` names the base story's ids; every other name here is this mod's own.
Patch(
    format: 2,
    ops: [
        // A new branch: one more choice on the walk home from the office...
        AddChoices(to: "@base/letters.walk_home", choices: [
            (
                text: "Not yet. Take the long way home, along the river.", id: "river",
                goto: "river_walk",
            ),
        ]),
        // ...and where it leads: a node of this mod's own, in chapter 1.
        AddNodes(to: "@base/letters", nodes: [
            (
                id: "river_walk",
                script: [
                    Scene(location: Street, time: Dusk, mood: Lonely),
                    Line("He turns off the stairs before Arden Street and goes down to the river, where nobody is talking to anybody. #line:{id}-1"),
                    Line("The water carries the city's lights out to sea, one at a time. He reads Nell's message twice, and walks back up past the phone shop. #line:{id}-2"),
                    Do(["nell_bond += 1"]),
                ],
                next: "@base/letters.advertisement",
            ),
        ]),
        // A variant for one of her lines: her first hello, when he took the long way.
        AddVariants(to: "@base/bfcf42", variants: [
            (
                when: "seen(letters.river_walk)",
                text: "os: Hello? Oh. Hi. You sound like you've been walking by water. Is that a thing I can know? #line:{id}-3",
            ),
        ]),
        // A new fragment for Walter's letter, in its second paragraph.
        AddFragments(to: "@base/anniversary", paragraph: 2, fragments: [
            (
                text: "I remember the night we missed the last bus and walked home along the river, and you said the walk was the best part.", id: "river_night",
                do: ["truth += 1"],
            ),
        ]),
    ],
)
"#
    );
    vec![("mod.ron", manifest), ("patches.ron", patches)]
}

/// Writes the example mod into a new folder `name` (its id: the folder's name made into one).
pub fn run(name: &Path) -> ExitCode {
    if name.exists() {
        errln!("error: {} already exists", name.display());
        errln!("hint: give the name of a new folder: `her new-mod my_mod`");
        return ExitCode::from(2);
    }
    let folder = name
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id = crate::story::load::mods::id_from_folder(&folder);
    if let Err(e) = std::fs::create_dir_all(name) {
        errln!("error: cannot make {}: {e}", name.display());
        return ExitCode::from(2);
    }
    for (file, text) in example_mod(&id) {
        let path = name.join(file);
        if let Err(e) = std::fs::write(&path, text) {
            errln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    outln!("wrote the mod `{id}` in {}", name.display());
    outln!("  check it:    her check dialogue --mod {}", name.display());
    outln!("  play it:     her read dialogue --mod {}", name.display());
    outln!(
        "  explore it:  her explore dialogue --mod {}",
        name.display()
    );
    outln!("  the guide:   docs/modding.md");
    ExitCode::SUCCESS
}
