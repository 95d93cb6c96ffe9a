//! Mods: their manifests (id, version, author, requirements), their load order, their
//! namespaces, and their patches.
//!
//! - **Order**: every mod's `requires` loads before it; otherwise mods go by id. The order is a
//!   topological sort that takes the smallest id ready at each step, so it never depends on the
//!   order of the command line or of the folder listing. A missing requirement (`E030`), a
//!   version that does not meet one (`E031`) and a cycle (`E032`) are reported at the
//!   requirement, naming the other place.
//! - **Namespaces**: what a mod adds is its own. Its chapters are `mod/chapter` inside the story
//!   (nodes `mod/chapter.node`), the nodes it adds to another's chapter `chapter.mod/node`, the
//!   choices and fragments it adds to another's node or letter `mod/id`. A mod names what is
//!   not its own explicitly, `@base/letters.walk_home` or `@other_mod/chapter.node`: the `@`
//!   cannot begin a speaker (`os: ...`) or a `chapter.node`, and the `/` cannot appear in an
//!   id, so the two never mix. A bare name in a mod's file is looked up in the mod's own ids
//!   first, then in the story's, so mods written before namespaces keep loading. The names a
//!   mod declares (variables, characters, endings, letters) and its line ids are its own the
//!   same way, `mod/name` in the story, named by others as `@mod/name`.
//! - **Patches** (`Patch(ops: [...])`) apply after every whole-node replacement, in load order,
//!   so two mods adding choices to one node both take effect, and a later replacement of a base
//!   node keeps the choices other mods add to it. A patch whose anchor another mod's
//!   replacement removed is skipped with `W127`, naming both places; two mods replacing one
//!   node is `W126`, naming both and the one that wins.

use std::collections::BTreeMap;

use super::*;

/// The most patch operations one mod may hold (`E025` above it): far above any real mod, and a
/// bound on the work a stranger's folder can ask for.
pub const MAX_PATCH_OPS: usize = 10_000;

/// A mod as loaded: what the mods list and `her mods` show, in load order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModInfo {
    /// Its id (`Mod(id: ...)`, or its folder's name made into an id).
    pub id: String,
    /// Its name for people.
    pub name: String,
    /// Its version, as written (`None` when it gives none).
    pub version: Option<String>,
    /// Who made it.
    pub author: Option<String>,
    /// Its folder (the folder of its `mod.ron`, or of its first file).
    pub folder: PathBuf,
    /// What it requires: (mod id, version requirement), as written.
    pub requires: Vec<(String, String)>,
    /// What it changes, one line each (`adds 1 choice to letters.walk_home`), for `her mods`.
    pub changes: Vec<String>,
}

impl ModInfo {
    /// `id version` (or the id alone): what saves remember.
    pub fn label(&self) -> String {
        match &self.version {
            Some(v) => format!("{} {v}", self.id),
            None => self.id.clone(),
        }
    }
}

/// A mod id from a folder's name: lower case, anything but letters, digits, `_` and `-` made
/// `_`; `mod` when nothing is left.
pub fn id_from_folder(name: &str) -> String {
    let id: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let id = id.trim_matches('_').to_owned();
    if id.is_empty() { "mod".into() } else { id }
}

/// Splits an explicit reference `@ns/rest` into its namespace and the rest.
pub(super) fn explicit(name: &str) -> Option<(&str, &str)> {
    name.strip_prefix('@')?.split_once('/')
}

/// `file:line:column` of a byte offset, for naming the other place in a message.
fn place(source: &SourceFile, offset: usize) -> String {
    let (line, column) = source.line_col(offset);
    format!("{}:{line}:{column}", source.path.display())
}

/// Orders the mods (layers after the first) of parsed files: each file's layer is renumbered to
/// the mod's place in the load order, and the files sorted by it (stably: files of one mod keep
/// their order). Returns the mods in order; every manifest problem joins `diagnostics`.
pub(super) fn order_mods(
    parsed: &mut [Parsed],
    sources: &[SourceFile],
    layers: &[Range<usize>],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<ModInfo> {
    struct Entry {
        layer: usize,
        info: ModInfo,
        file: Option<usize>,
        requires: Option<crate::story::format::Decls<String>>,
        version: Option<semver::Version>,
    }
    let mut entries: Vec<Entry> = Vec::new();
    for (layer, range) in layers.iter().enumerate().skip(1) {
        let manifest = parsed.iter().find_map(|p| match &p.content {
            DialogueFile::Mod(def) if p.layer == layer => Some((p.file, def)),
            _ => None,
        });
        let first = manifest
            .map(|m| m.0)
            .or_else(|| (range.start < range.end).then_some(range.start));
        let folder = first
            .and_then(|f| sources[f].path.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        let folder_name = folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| format!("mod{layer}"));
        let (file, def) = match manifest {
            Some((f, d)) => (Some(f), Some(d)),
            None => (None, None),
        };
        let mut id = id_from_folder(&folder_name);
        let mut version = None;
        if let (Some(file), Some(def)) = (file, def) {
            let source = &sources[file];
            if let Some(given) = &def.id {
                let span = source
                    .find_field("id", given, 0)
                    .unwrap_or(0..1.min(source.text.len()));
                if !symbols::is_id(given) || given == "base" {
                    diagnostics.push(source.diagnostic(
                        Severity::Error,
                        "E033",
                        span,
                        format!("`{given}` cannot be a mod's id"),
                        Some(
                            "use letters, digits, `_` and `-`; `base` names the base story".into(),
                        ),
                    ));
                } else {
                    id.clone_from(given);
                }
            }
            if let Some(v) = &def.version {
                match semver::Version::parse(v) {
                    Ok(parsed) => version = Some(parsed),
                    Err(e) => {
                        let span = source
                            .find_field("version", v, 0)
                            .unwrap_or(0..1.min(source.text.len()));
                        diagnostics.push(source.diagnostic(
                            Severity::Error,
                            "E033",
                            span,
                            format!("`{v}` is not a version: {e}"),
                            Some("write a semantic version: `1.0.0`, `0.3.1`".into()),
                        ));
                    }
                }
            }
        }
        let info = ModInfo {
            id,
            name: def.map_or_else(|| folder_name.clone(), |d| d.name.clone()),
            version: def.and_then(|d| d.version.clone()),
            author: def.and_then(|d| d.author.clone()),
            folder,
            requires: def
                .map(|d| {
                    d.requires
                        .iter()
                        .map(|r| (r.name.clone(), r.value.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            changes: Vec::new(),
        };
        entries.push(Entry {
            layer,
            info,
            file,
            requires: def.map(|d| d.requires.clone()),
            version,
        });
    }
    // Two folders with one id: the second is reported, naming the first.
    for i in 0..entries.len() {
        if let Some(j) = (0..i).find(|&j| entries[j].info.id == entries[i].info.id)
            && let Some(file) = entries[i].file
        {
            let source = &sources[file];
            let at = source
                .find_field("id", &entries[i].info.id, 0)
                .unwrap_or(0..1.min(source.text.len()));
            let other = entries[j].file.map_or_else(
                || entries[j].info.folder.display().to_string(),
                |f| sources[f].path.display().to_string(),
            );
            diagnostics.push(source.diagnostic(
                Severity::Error,
                "E033",
                at,
                format!(
                    "two mods are called `{}`: this one and {other}",
                    entries[i].info.id
                ),
                Some("give one of them another `id`".into()),
            ));
        }
    }
    // Requirements: each must be loaded, in a version that meets it.
    let by_id: BTreeMap<String, usize> = entries
        .iter()
        .enumerate()
        .rev()
        .map(|(i, e)| (e.info.id.clone(), i))
        .collect();
    let mut needs: Vec<Vec<usize>> = vec![Vec::new(); entries.len()];
    for (i, e) in entries.iter().enumerate() {
        let (Some(file), Some(requires)) = (e.file, &e.requires) else {
            continue;
        };
        let source = &sources[file];
        for req in requires.iter() {
            let span = source
                .find_nth_literal(&req.name, req.again)
                .unwrap_or(0..1.min(source.text.len()));
            let wanted = match semver::VersionReq::parse(&req.value) {
                Ok(w) => w,
                Err(err) => {
                    let at = source
                        .find_literal(&req.value, span.start)
                        .unwrap_or_else(|| span.clone());
                    diagnostics.push(source.diagnostic(
                        Severity::Error,
                        "E033",
                        at,
                        format!("`{}` is not a version requirement: {err}", req.value),
                        Some("write it as Cargo does: `^1.2`, `>=0.3, <2`, `*`".into()),
                    ));
                    continue;
                }
            };
            let Some(&j) = by_id.get(&req.name) else {
                let loaded: Vec<&str> = entries.iter().map(|e| e.info.id.as_str()).collect();
                diagnostics.push(source.diagnostic(
                    Severity::Error,
                    "E030",
                    span,
                    format!(
                        "the mod `{}` requires the mod `{}`, which is not loaded",
                        e.info.id, req.name
                    ),
                    did_you_mean(&req.name, loaded.iter().copied()).or_else(|| {
                        Some(format!(
                            "load it too (`--mod PATH`); the mods loaded are: {}",
                            if loaded.is_empty() {
                                "none".into()
                            } else {
                                loaded.join(", ")
                            }
                        ))
                    }),
                ));
                continue;
            };
            if j == i {
                diagnostics.push(source.diagnostic(
                    Severity::Error,
                    "E032",
                    span,
                    format!("the mod `{}` requires itself", e.info.id),
                    Some("remove it from `requires`".into()),
                ));
                continue;
            }
            let other = &entries[j];
            let found = other
                .version
                .clone()
                .unwrap_or_else(|| semver::Version::new(0, 0, 0));
            if !wanted.matches(&found) {
                let there = match (other.file, &other.info.version) {
                    (Some(f), Some(v)) => {
                        let at = sources[f]
                            .find_field("version", v, 0)
                            .map_or(0, |s| s.start);
                        format!("its version {v} at {}", place(&sources[f], at))
                    }
                    (Some(f), None) => format!(
                        "it gives no version (read as 0.0.0) in {}",
                        sources[f].path.display()
                    ),
                    _ => "it has no mod.ron (read as 0.0.0)".into(),
                };
                diagnostics.push(source.diagnostic(
                    Severity::Error,
                    "E031",
                    span,
                    format!(
                        "the mod `{}` requires `{}` {}, but {there}",
                        e.info.id, req.name, req.value
                    ),
                    Some(format!(
                        "load a version of `{}` that meets `{}`, or change the requirement",
                        req.name, req.value
                    )),
                ));
            }
            needs[i].push(j);
        }
    }
    // The order: among the mods whose requirements are placed, the smallest id first.
    let n = entries.len();
    let mut placed = vec![false; n];
    let mut order: Vec<usize> = Vec::with_capacity(n);
    while order.len() < n {
        let ready = (0..n)
            .filter(|&i| !placed[i] && needs[i].iter().all(|&j| placed[j]))
            .min_by(|&a, &b| entries[a].info.id.cmp(&entries[b].info.id).then(a.cmp(&b)));
        match ready {
            Some(i) => {
                placed[i] = true;
                order.push(i);
            }
            None => {
                // A cycle: report each requirement on it, naming the next, then place the rest
                // by id so that loading goes on.
                let left: Vec<usize> = (0..n).filter(|&i| !placed[i]).collect();
                for &i in &left {
                    let (Some(file), Some(requires)) = (entries[i].file, &entries[i].requires)
                    else {
                        continue;
                    };
                    for req in requires.iter() {
                        let Some(&j) = by_id.get(&req.name) else {
                            continue;
                        };
                        if placed[j] || j == i || !reaches(&needs, j, i) {
                            continue;
                        }
                        let source = &sources[file];
                        let span = source
                            .find_nth_literal(&req.name, req.again)
                            .unwrap_or(0..1.min(source.text.len()));
                        let back = entries[j]
                            .file
                            .map(|f| {
                                let at = sources[f]
                                    .find_literal(&entries[i].info.id, 0)
                                    .map_or(0, |s| s.start);
                                place(&sources[f], at)
                            })
                            .unwrap_or_else(|| entries[j].info.folder.display().to_string());
                        diagnostics.push(source.diagnostic(
                            Severity::Error,
                            "E032",
                            span,
                            format!(
                                "the mods `{}` and `{}` require each other (through {back}): neither can load first",
                                entries[i].info.id, req.name
                            ),
                            Some("one of them must not require the other".into()),
                        ));
                    }
                }
                let mut rest = left;
                rest.sort_by(|&a, &b| entries[a].info.id.cmp(&entries[b].info.id));
                for i in rest {
                    placed[i] = true;
                    order.push(i);
                }
            }
        }
    }
    // Renumber the layers to the order, and sort the files by it.
    let mut new_layer = vec![0; layers.len()];
    for (place, &i) in order.iter().enumerate() {
        new_layer[entries[i].layer] = place + 1;
    }
    for p in parsed.iter_mut() {
        p.layer = new_layer[p.layer];
    }
    parsed.sort_by_key(|p| (p.layer, p.file));
    let mut infos: Vec<Option<ModInfo>> = entries.into_iter().map(|e| Some(e.info)).collect();
    order.iter().filter_map(|&i| infos[i].take()).collect()
}

/// Whether `from` needs `to`, directly or through others.
fn reaches(needs: &[Vec<usize>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; needs.len()];
    let mut stack = vec![from];
    while let Some(i) = stack.pop() {
        if i == to {
            return true;
        }
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        stack.extend(needs[i].iter().copied());
    }
    false
}

impl<'a> Compiler<'a> {
    /// The mod whose files `file` belongs to (`None` for the base story).
    pub(super) fn ns_of_file(&self, file: usize) -> Option<&str> {
        let layer = *self.file_layer.get(file)?;
        self.layer_ns.get(layer)?.as_deref()
    }

    /// The source file a string points into, when it was borrowed from one.
    pub(super) fn file_of(&self, text: &str) -> Option<usize> {
        let at = text.as_ptr() as usize;
        let i = self.text_ranges.partition_point(|r| r.0 <= at);
        let &(start, end, file) = self.text_ranges.get(i.checked_sub(1)?)?;
        (at >= start && at + text.len() <= end).then_some(file)
    }

    /// The namespace a name is written in: that of the file it was read from, else that of the
    /// file being compiled.
    pub(super) fn ns_for(&self, text: &str) -> Option<&str> {
        let file = self
            .file_of(text)
            .or(self.text_file)
            .unwrap_or(self.cursor.file);
        self.ns_of_file(file)
    }

    /// The internal ids a written target may mean, most likely first: `@base/c.n` is `c.n`;
    /// `@m/c.n` is the mod's own chapter `m/c.n` or its node in another's chapter `c.m/n`; a
    /// bare name written in a mod tries the mod's own ids before the story's.
    pub(super) fn candidates(&self, target: &str) -> Vec<String> {
        let (ns, rest, only_ns) = match explicit(target) {
            Some(("base", rest)) => (None, rest, true),
            Some((ns, rest)) => (Some(ns), rest, true),
            None => (self.ns_for(target), target, false),
        };
        let mut out = Vec::with_capacity(3);
        match (ns, rest.split_once('.')) {
            (Some(ns), Some((chapter, node))) => {
                out.push(format!("{ns}/{chapter}.{node}"));
                out.push(format!("{chapter}.{ns}/{node}"));
                if !only_ns {
                    out.push(rest.to_owned());
                }
            }
            (Some(ns), None) => {
                if !only_ns {
                    // A node of the current chapter that the mod added, or the chapter's own.
                    out.push(format!("{}.{ns}/{rest}", self.chapter));
                    out.push(format!("{}.{rest}", self.chapter));
                }
                out.push(format!("{ns}/{rest}"));
                if !only_ns {
                    out.push(rest.to_owned());
                }
            }
            (None, Some(_)) => out.push(rest.to_owned()),
            (None, None) => {
                if !only_ns {
                    out.push(format!("{}.{rest}", self.chapter));
                }
                out.push(rest.to_owned());
            }
        }
        out
    }

    /// The internal id of a chapter a mod names (`@base/letters`, `@m/walk`, or a bare id: the
    /// mod's own first, then the story's), among `known`.
    fn chapter_ref(&self, name: &str, ns: Option<&str>, known: &[String]) -> Option<String> {
        let options: Vec<String> = match explicit(name) {
            Some(("base", rest)) => vec![rest.to_owned()],
            Some((m, rest)) => vec![format!("{m}/{rest}")],
            None => match ns {
                Some(m) => vec![format!("{m}/{name}"), name.to_owned()],
                None => vec![name.to_owned()],
            },
        };
        options.into_iter().find(|o| known.contains(o))
    }

    /// A chapter id as the story will know it: the base story's as written; a mod's chapter
    /// file names the mod's own chapter, an existing chapter it adds to (`@base/letters`, or a
    /// bare id of an earlier layer's chapter, as mods did before namespaces), or a new chapter
    /// of its own. Returns the id and whether it is another's chapter.
    pub(super) fn chapter_id_for(
        &self,
        written: &str,
        layer: usize,
        own: &[String],
        merged: &[MergedChapter],
    ) -> (String, bool) {
        let Some(ns) = self.layer_ns.get(layer).and_then(|n| n.as_deref()) else {
            return (written.to_owned(), false);
        };
        let existing: Vec<String> = merged.iter().map(|m| m.0.clone()).collect();
        if explicit(written).is_some() {
            if let Some(id) = self.chapter_ref(written, Some(ns), &existing) {
                let foreign = !id.starts_with(&format!("{ns}/"));
                return (id, foreign);
            }
            return (written.to_owned(), true);
        }
        let mine = format!("{ns}/{written}");
        if own.contains(&mine) || existing.contains(&mine) {
            return (mine, false);
        }
        if existing.iter().any(|c| c == written) {
            return (written.to_owned(), true);
        }
        (mine, false)
    }

    /// Resolves `after`/`before` of a mod's manifest to a place in the chapter order.
    pub(super) fn order_anchor(
        &mut self,
        file: usize,
        name: &str,
        order: &[(String, usize)],
    ) -> Option<usize> {
        let ns = self.ns_of_file(file).map(str::to_owned);
        let known: Vec<String> = order.iter().map(|o| o.0.clone()).collect();
        match self.chapter_ref(name, ns.as_deref(), &known) {
            Some(id) => order.iter().position(|o| o.0 == id),
            None => {
                self.cursor = Cursor::file(file);
                let hint = did_you_mean(name, known.iter().map(String::as_str));
                self.report(
                    Severity::Error,
                    "E002",
                    Some(name),
                    format!("no chapter is called `{name}`"),
                    hint,
                );
                None
            }
        }
    }
}

/// The id a node of a merged chapter has in the story: its own, or `mod/id` when a mod added it
/// to another's chapter.
pub(super) fn internal_node_id(chapter: &MergedChapter, n: usize) -> String {
    let node = &chapter.2.nodes[n];
    match &chapter.3[n + 1].2 {
        Some(ns) => format!("{ns}/{}", node.id),
        None => node.id.to_string(),
    }
}
