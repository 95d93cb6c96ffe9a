//! Merge: the parsed files of the base story and its mods become one story: manifests, chapter
//! order, chapters merged node by node, every node indexed, then compiled (on two cores for a
//! large story).

use super::mods::ModInfo;
use super::symbols::is_id;
use super::*;
use crate::story::format::{PatchDef, PatchOp, SceneDef};

impl<'a> Compiler<'a> {
    pub(super) fn build(
        &mut self,
        parsed: Vec<Parsed<'a>>,
        fingerprint: String,
        mod_infos: &mut [ModInfo],
    ) -> Option<Story> {
        // 1. The manifests: exactly one Story, in the base layer; Mods in later layers.
        let mut story_def: Option<(usize, StoryDef)> = None;
        let mut mods: Vec<(usize, ModDef)> = Vec::new();
        let mut chapters: Vec<(usize, usize, ChapterDef)> = Vec::new();
        let mut patches: Vec<(usize, usize, PatchDef)> = Vec::new();
        for p in parsed {
            match p.content {
                DialogueFile::Patch(_) if p.layer == 0 => {
                    self.cursor = Cursor::file(p.file);
                    self.report(
                        Severity::Error,
                        "E009",
                        None,
                        "the base story has a `Patch(...)` file",
                        Some("patches belong to mods: the base story changes its own nodes".into()),
                    );
                }
                DialogueFile::Patch(mut def) => {
                    // `AddNodes` merges as a chapter file of the mod would, before any patch.
                    let ops = std::mem::take(&mut def.ops);
                    for op in ops {
                        match op {
                            PatchOp::AddNodes(add) => chapters.push((
                                p.file,
                                p.layer,
                                ChapterDef {
                                    format: None,
                                    id: add.to,
                                    title: Text::default(),
                                    date: Text::default(),
                                    scene: SceneDef::default(),
                                    start: None,
                                    nodes: add.nodes,
                                    allow: Vec::new(),
                                },
                            )),
                            op => def.ops.push(op),
                        }
                    }
                    patches.push((p.file, p.layer, def));
                }
                DialogueFile::Story(def) => {
                    if p.layer > 0 {
                        self.cursor = Cursor::file(p.file);
                        self.report(
                            Severity::Error,
                            "E009",
                            None,
                            "a mod folder has a `Story(...)` file",
                            Some("a mod describes itself with `Mod(...)`; only the base story has `Story(...)`".into()),
                        );
                    } else if let Some((first, _)) = &story_def {
                        self.cursor = Cursor::file(p.file);
                        let other = self.sources[*first].path.display().to_string();
                        self.report(
                            Severity::Error,
                            "E003",
                            None,
                            format!("a second `Story(...)` file (the first is {other})"),
                            Some("a story has one story.ron".into()),
                        );
                    } else {
                        story_def = Some((p.file, def));
                    }
                }
                DialogueFile::Mod(def) => mods.push((p.file, def)),
                DialogueFile::Chapter(def) => {
                    // A mod names another's chapter as `@base/id` or `@mod/id`.
                    let written = match mods::explicit(&def.id) {
                        Some((_, rest)) if p.layer > 0 => rest,
                        _ => &def.id,
                    };
                    if !is_id(written) {
                        self.cursor = Cursor::file(p.file);
                        self.report(
                            Severity::Error,
                            "E024",
                            Some(&def.id),
                            format!("`{}` is not a valid chapter id", def.id),
                            Some("use letters, digits, `_` and `-`".into()),
                        );
                    }
                    chapters.push((p.file, p.layer, def));
                }
            }
        }
        let Some((story_file, story_def)) = story_def else {
            if !self.diagnostics.iter().any(unparsed) {
                self.diagnostics.push(
                    Diagnostic::general(Severity::Error, "E009", "no `Story(...)` file was found")
                        .with_hint(Some(
                            "the first folder given must hold the story's story.ron".into(),
                        )),
                );
            }
            return None;
        };

        // 2. Variables, characters, endings.
        self.declare_variables(story_file, &story_def.variables);
        for (file, m) in &mods {
            self.declare_variables(*file, &m.variables);
        }
        let axes = self.axes(&story_def.axes);
        self.declare_characters(story_file, &story_def.characters);
        for (file, m) in &mods {
            self.declare_characters(*file, &m.characters);
        }
        self.declare_endings(story_file, &story_def.endings);
        if story_def.echo_choices {
            let player = story_def.player.as_deref().unwrap_or("theodore");
            self.echo = Some(self.character_index.get(player).copied());
        }
        for (file, m) in &mods {
            self.declare_endings(*file, &m.endings);
        }

        // 3. Chapter order: the story's list, with each mod's chapters after its `after`.
        let mut order: Vec<(String, usize)> = Vec::new();
        for c in &story_def.chapters {
            let again = order.iter().filter(|(o, _)| o == c).count();
            if again > 0 {
                let span = self.sources[story_file].find_nth_literal(c, again);
                if let Some(span) = span {
                    let d = self.sources[story_file].diagnostic(
                        Severity::Error,
                        "E003",
                        span,
                        format!("the chapter `{c}` is listed twice"),
                        Some("a chapter is played once: remove one".into()),
                    );
                    self.diagnostics.push(d);
                }
                continue;
            }
            order.push((c.clone(), story_file));
        }
        // A mod's chapters are its own: `mod/chapter` in the story.
        let mut own: Vec<String> = Vec::new();
        for (file, m) in &mods {
            let ns_here = self.ns_of_file(*file).map(str::to_owned);
            let named = |c: &str| match &ns_here {
                Some(ns) => format!("{ns}/{c}"),
                None => c.to_owned(),
            };
            let at = match (&m.after, &m.before) {
                (Some(after), _) => self
                    .order_anchor(*file, after, &order)
                    .map_or(order.len(), |i| i + 1),
                (None, Some(before)) => self
                    .order_anchor(*file, before, &order)
                    .unwrap_or(order.len()),
                (None, None) => order.len(),
            };
            if let (Some(_), Some(before)) = (&m.after, &m.before) {
                self.cursor = Cursor::file(*file);
                self.report(
                    Severity::Error,
                    "E026",
                    Some(before),
                    "a mod's chapters go `after` one chapter or `before` one, not both",
                    Some("keep one of them".into()),
                );
            }
            for (k, c) in m.chapters.iter().enumerate() {
                order.insert(at + k, (named(c), *file));
                own.push(named(c));
                let layer = self.file_layer.get(*file).copied().unwrap_or(0);
                if let Some(info) = layer.checked_sub(1).and_then(|l| mod_infos.get_mut(l)) {
                    let place = match (at + k).checked_sub(1).and_then(|i| order.get(i)) {
                        Some((prev, _)) => format!("after {prev}"),
                        None => "first".into(),
                    };
                    info.changes.push(format!(
                        "adds the chapter {} to the story, {place}",
                        named(c)
                    ));
                }
            }
            // A mod's chapter id taken by the story or an earlier mod: reported at the mod.
            for c in &m.chapters {
                let c = &named(c);
                if order.iter().filter(|(o, _)| o == c).count() > 1 {
                    self.cursor = Cursor::file(*file);
                    self.report(
                        Severity::Error,
                        "E003",
                        Some(c),
                        format!("the chapter `{c}` is already in the story"),
                        Some("give the mod's chapter an id of its own".into()),
                    );
                }
            }
        }

        // 4. Merge chapter files: a later layer may add nodes to a chapter or replace them.
        let mut merged: Vec<MergedChapter> = Vec::new();
        // Whole-node replacements, by node: who replaced it and where (`W126` names both), and
        // the line ids each replacement removed (`W127`, when a patch then looks for one).
        let mut replaced: Map<String, (usize, String)> = Map::default();
        let mut removed: Map<String, String> = Map::default();
        for (file, layer, def) in chapters {
            self.cursor = Cursor::file(file);
            let (chapter_id, foreign) = self.chapter_id_for(&def.id, layer, &own, &merged);
            let ns = self.layer_ns.get(layer).cloned().flatten();
            if let Some(existing) = merged.iter_mut().find(|m| m.0 == chapter_id) {
                if layer == 0 || existing.1 == layer {
                    let first = self.sources[existing.3[0].0].path.display().to_string();
                    self.report(
                        Severity::Error,
                        "E003",
                        Some(&def.id),
                        format!(
                            "the chapter `{}` is defined twice (also in {first})",
                            def.id
                        ),
                        Some("rename one; a mod adds nodes to a chapter in its own folder".into()),
                    );
                    continue;
                }
                for node in def.nodes {
                    // A node a mod adds to another's chapter is its own: `chapter.mod/node`.
                    let origin = (file, layer, ns.clone().filter(|_| foreign));
                    // `replace: true` names a node of the chapter (`@mod/node` for one that
                    // another mod added).
                    let target = |n: usize, e: &MergedChapter| match mods::explicit(&node.id) {
                        Some((m, id)) => {
                            e.2.nodes[n].id.as_str() == id && e.3[n + 1].2.as_deref() == Some(m)
                        }
                        None => e.2.nodes[n].id == node.id && e.3[n + 1].2.is_none(),
                    };
                    let found = (0..existing.2.nodes.len()).find(|&n| {
                        if node.replace {
                            target(n, existing)
                        } else {
                            existing.2.nodes[n].id == node.id && existing.3[n + 1].2 == origin.2
                        }
                    });
                    match found {
                        Some(i) if node.replace => {
                            let full =
                                format!("{}.{}", chapter_id, mods::internal_node_id(existing, i));
                            let here = node.id.offset_in(&self.sources[file].text).map_or(0, |o| o);
                            let who = ns.clone().unwrap_or_else(|| "the base story".into());
                            let place = {
                                let (l, c) = self.sources[file].line_col(here);
                                format!("{}:{l}:{c}", self.sources[file].path.display())
                            };
                            if let Some((other_layer, other)) = replaced.get(&full)
                                && *other_layer != layer
                            {
                                let d = self.sources[file].diagnostic(
                                    Severity::Warning,
                                    "W126",
                                    here..here + node.id.len(),
                                    format!(
                                        "the node `{full}` is replaced by two mods: {other}, and `{who}` here; `{who}` wins, as it loads later"
                                    ),
                                    Some("the two mods conflict: patch the node (`AddChoices`, `InsertSteps`) instead of replacing it, or require the other mod and build on it".into()),
                                );
                                self.diagnostics.push(d);
                            }
                            let mut tags = Vec::new();
                            patch::collect_tags(&existing.2.nodes[i], &mut tags);
                            let mut kept = Vec::new();
                            patch::collect_tags(&node, &mut kept);
                            for t in tags.into_iter().filter(|t| !kept.contains(t)) {
                                removed.insert(t, format!("`{who}` ({place})"));
                            }
                            replaced.insert(full, (layer, format!("`{who}` at {place}")));
                            existing.2.nodes[i] = node;
                            existing.3[i + 1] = (file, layer, existing.3[i + 1].2.clone());
                        }
                        Some(_) => {
                            self.report(
                                Severity::Error,
                                "E003",
                                Some(&node.id),
                                format!(
                                    "the node `{}.{}` already exists in the base story",
                                    def.id, node.id
                                ),
                                Some(
                                    "add `replace: true` to replace it, or choose a new id".into(),
                                ),
                            );
                        }
                        None if node.replace => {
                            self.report(
                                Severity::Error,
                                "E026",
                                Some(&node.id),
                                format!(
                                    "`replace: true`, but the chapter `{}` has no node `{}` to replace",
                                    def.id, node.id
                                ),
                                did_you_mean(&node.id, existing.2.nodes.iter().map(|n| n.id.as_str()))
                                    .or_else(|| Some("remove `replace` to add a new node".into())),
                            );
                        }
                        None => {
                            if let Some(ns) = &origin.2 {
                                mod_infos[layer - 1]
                                    .changes
                                    .push(format!("adds the node {chapter_id}.{ns}/{}", node.id));
                            }
                            existing.2.nodes.push(node);
                            existing.3.push(origin);
                        }
                    }
                }
            } else if foreign {
                // `@base/x` (or an `AddNodes`) naming a chapter that is not there.
                let hint = did_you_mean(
                    mods::explicit(&def.id).map_or(&*def.id, |(_, rest)| rest),
                    merged.iter().map(|m| m.0.as_str()),
                );
                self.report(
                    Severity::Error,
                    "E029",
                    Some(&def.id),
                    format!("no chapter `{}` is there to add to", def.id),
                    hint.or_else(|| {
                        Some("name a chapter as `@base/letters` or `@mod/chapter`".into())
                    }),
                );
            } else {
                for node in def.nodes.iter().filter(|n| n.replace) {
                    self.report(
                        Severity::Error,
                        "E026",
                        Some(&node.id),
                        format!(
                            "`replace: true`, but no earlier chapter `{}` has a node `{}` to replace",
                            def.id, node.id
                        ),
                        Some("remove `replace`: this chapter is new here".into()),
                    );
                }
                // Origins: index 0 is the chapter itself, then one per node.
                let origins =
                    std::iter::repeat_n((file, layer, None), def.nodes.len() + 1).collect();
                merged.push((chapter_id, layer, def, origins));
            }
        }
        // 4b. Patches, in load order, onto the chapters as replaced.
        if !patches.is_empty() {
            self.apply_patches(&mut merged, patches, &removed, mod_infos);
        }
        for (full, (layer, _)) in &replaced {
            if *layer > 0 {
                mod_infos[layer - 1]
                    .changes
                    .push(format!("replaces the whole node {full}"));
            }
        }
        for info in mod_infos.iter_mut() {
            info.changes.sort();
        }
        let mut ordered = Vec::new();
        for (id, file) in &order {
            match merged.iter().position(|m| &m.0 == id) {
                Some(i) => ordered.push(merged.swap_remove(i)),
                // A file that failed to parse is the likely home of a missing chapter: its own
                // error says what is wrong, without a second one here.
                None if self.diagnostics.iter().any(unparsed) => {}
                None => {
                    self.cursor = Cursor::file(*file);
                    let hint = did_you_mean(id, merged.iter().map(|m| m.0.as_str()))
                        .or_else(|| Some(format!("add a file with `Chapter(id: \"{id}\", ...)`")));
                    self.report(
                        Severity::Error,
                        "E002",
                        Some(id),
                        format!("the chapter `{id}` has no file"),
                        hint,
                    );
                }
            }
        }
        for m in merged {
            let (file, _, _) = m.3[0];
            self.cursor = Cursor::file(file);
            self.report(
                Severity::Warning,
                "W101",
                Some(&m.0),
                format!(
                    "the chapter `{}` is not in the story's chapter list, so it is never played",
                    m.0
                ),
                Some("add its id to `chapters` in story.ron (or to a mod's `chapters`)".into()),
            );
        }

        let total: usize = ordered.iter().map(|c| c.2.nodes.len()).sum();
        if total > MAX_NODES {
            self.diagnostics.push(
                Diagnostic::general(
                    Severity::Error,
                    "E025",
                    format!("the story has {total} nodes; a story may have at most {MAX_NODES}"),
                )
                .with_hint(Some(
                    "a story this large is better split into several stories".into(),
                )),
            );
            return None;
        }

        // 5. Index every node and letter, so targets can point forward.
        let mut nodes = Vec::with_capacity(ordered.iter().map(|c| c.2.nodes.len()).sum());
        Arc::make_mut(&mut self.node_index).reserve(nodes.capacity());
        let mut last_offset = vec![0; self.sources.len()];
        for (chapter_ix, (chapter_id, _, def, origins)) in ordered.iter().enumerate() {
            self.chapter_ids.push(chapter_id.clone());
            let mut chapter_offset = 0;
            if let Some(span) = self.sources[origins[0].0].find_field("id", &def.id, 0) {
                chapter_offset = span.end;
            }
            for (k, node) in def.nodes.iter().enumerate() {
                let file = origins[k + 1].0;
                // Nodes come in file order: search on from the previous one (linear overall).
                let from = last_offset[file].max(if file == origins[0].0 {
                    chapter_offset
                } else {
                    0
                });
                // A borrowed id knows where it was written; only an id with escapes in it
                // needs a search.
                let offset = match node.id.offset_in(&self.sources[file].text) {
                    Some(at) => at.saturating_sub(1),
                    None => self.sources[file]
                        .find_field("id", &node.id, from)
                        .map_or(from, |s| s.start.saturating_sub(1)),
                };
                last_offset[file] = offset + 1;
                if !is_id(&node.id) {
                    self.cursor = Cursor {
                        file,
                        offset,
                        start: offset,
                        end: usize::MAX,
                    };
                    self.report(
                        Severity::Error,
                        "E024",
                        Some(&node.id),
                        format!("`{}` is not a valid node id", node.id),
                        Some("use letters, digits, `_` and `-`: a `.` would read as `chapter.node`, a `:` as a speaker".into()),
                    );
                }
                let full = match &origins[k + 1].2 {
                    Some(ns) => format!("{chapter_id}.{ns}/{}", node.id),
                    None => format!("{chapter_id}.{}", node.id),
                };
                let std::collections::hash_map::Entry::Vacant(slot) =
                    Arc::make_mut(&mut self.node_index).entry(full)
                else {
                    self.duplicates.insert((chapter_ix, k));
                    self.cursor = Cursor {
                        file,
                        offset,
                        start: offset,
                        end: usize::MAX,
                    };
                    self.report(
                        Severity::Error,
                        "E003",
                        Some(&node.id),
                        format!(
                            "the node id `{}` is used twice in chapter `{chapter_id}`",
                            node.id
                        ),
                        Some("every node in a chapter needs its own id".into()),
                    );
                    continue;
                };
                let full = slot.key().clone();
                slot.insert(nodes.len());
                nodes.push(Node {
                    id: full,
                    chapter: chapter_ix,
                    entry: 0,
                    source: SourceRef { file, offset },
                });
            }
            for node in &def.nodes {
                let file = origins[0].0;
                self.cursor = Cursor::file(file);
                for step in node
                    .script
                    .iter()
                    .chain(node.choices.iter().flat_map(|c| c.then.iter()))
                {
                    self.index_letters(step);
                }
            }
        }
        for (chapter_id, _, def, origins) in &ordered {
            self.chapter = chapter_id.clone();
            self.cursor = Cursor::file(origins[0].0);
            let start = match &def.start {
                Some(s) => self.target(s),
                None => def.nodes.first().and_then(|n| {
                    self.node_index
                        .get(&format!("{chapter_id}.{}", n.id))
                        .copied()
                }),
            };
            match start {
                Some(s) => {
                    self.chapter_starts.insert(chapter_id.clone(), s);
                }
                None if def.start.is_none() => {
                    self.report(
                        Severity::Error,
                        "E002",
                        Some(chapter_id),
                        format!("the chapter `{chapter_id}` has no nodes"),
                        None,
                    );
                }
                None => {}
            }
        }

        let hints = super::checks::hints(ordered.iter().map(|(id, _, def, _)| (id.as_str(), def)));

        // Each node's text ends where the next node of its file begins.
        let mut node_ends = vec![usize::MAX; nodes.len()];
        let mut by_file: Vec<(usize, usize, usize)> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.source.file, n.source.offset, i))
            .collect();
        by_file.sort_unstable();
        for pair in by_file.windows(2) {
            if pair[0].0 == pair[1].0 {
                node_ends[pair[0].2] = pair[1].1;
            }
        }

        // 6. Compile every node, into arrays sized once (growing them by doubling copies
        // tens of megabytes for a large story).
        let mut size = Sizes::default();
        for (_, _, def, _) in &ordered {
            for node in &def.nodes {
                size.node(node);
            }
        }
        self.ops.reserve(size.ops);
        self.lines.reserve(size.lines);
        self.text.reserve(size.text);
        self.pieces.reserve(size.lines);
        self.choices.reserve(size.choices);
        self.choice_sets.reserve(nodes.len());
        self.effects.reserve(size.effects);
        // A large story compiles in two halves at once, one per core, each into arrays of its
        // own; the second half is then appended with its indices moved (as a linker would).
        let mut first_node = Vec::with_capacity(ordered.len() + 1);
        let mut count = 0;
        for (chapter_ix, (_, _, def, _)) in ordered.iter().enumerate() {
            first_node.push(count);
            count += (0..def.nodes.len())
                .filter(|k| !self.duplicates.contains(&(chapter_ix, *k)))
                .count();
        }
        first_node.push(count);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let split = if self.two_cores && cores > 1 && count >= PARALLEL_COMPILE_NODES {
            first_node
                .partition_point(|&n| n < count / 2)
                .min(ordered.len())
        } else {
            ordered.len()
        };
        let mut chapter_list = Vec::new();
        for (chapter_ix, (chapter_id, _, def, origins)) in ordered.iter().enumerate() {
            self.cursor = Cursor::file(origins[0].0);
            self.check_braces(&def.title);
            self.check_braces(&def.date);
            if let Some(&start) = self.chapter_starts.get(chapter_id) {
                chapter_list.push(Chapter {
                    id: chapter_id.clone(),
                    title: self.kept_text(&def.title),
                    date: self.kept_text(&def.date),
                    number: chapter_ix + 1,
                    scene: def.scene.clone(),
                    start,
                });
            }
        }
        // The second half's parsed files move to its thread, which also frees them.
        let second = ordered.split_off(split);
        let first = ordered;
        let ctx = (nodes.as_slice(), node_ends.as_slice());
        let (entries, second_half) = if second.is_empty() {
            (self.compile_chapters(&first, 0, 0, ctx), None)
        } else {
            let mut other = self.fork();
            let from = first_node[split];
            std::thread::scope(|scope| {
                let handle = scope.spawn(move || {
                    let entries = other.compile_chapters(&second, split, from, ctx);
                    drop(second);
                    (other, entries)
                });
                let entries = self.compile_chapters(&first, 0, 0, ctx);
                drop(first);
                match handle.join() {
                    Ok(half) => (entries, Some(half)),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            })
        };
        for (n, entry) in entries.into_iter().enumerate() {
            nodes[n].entry = entry;
        }
        if let Some((other, entries)) = second_half {
            let base = self.append(other);
            let from = first_node[split];
            for (n, entry) in entries.into_iter().enumerate() {
                nodes[from + n].entry = entry + base;
            }
        }
        self.check_line_tags(&nodes, &node_ends);
        self.report_untagged();
        if self
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
            || chapter_list.is_empty()
        {
            if chapter_list.is_empty()
                && !self
                    .diagnostics
                    .iter()
                    .any(|d| d.severity == Severity::Error)
            {
                self.diagnostics.push(Diagnostic::general(
                    Severity::Error,
                    "E009",
                    "the story has no chapters",
                ));
            }
            return None;
        }
        let start = chapter_list[0].start;
        // Every node is compiled: point each goto at its target's entry.
        for op in &mut self.ops {
            if let Op::Goto(node, entry) | Op::Detour(node, entry) = op {
                *entry = nodes[*node as usize].entry as u32;
            }
        }
        Some(Story {
            title: story_def.title,
            chapters: chapter_list,
            nodes,
            ops: std::mem::take(&mut self.ops),
            lines: std::mem::take(&mut self.lines),
            text: std::mem::take(&mut self.text),
            pieces: std::mem::take(&mut self.pieces),
            alts: std::mem::take(&mut self.alts),
            inline_conds: std::mem::take(&mut self.inline_conds),
            alt_count: self.alt_count,
            variables: std::mem::take(&mut self.variables),
            characters: std::mem::take(&mut self.characters),
            endings: std::mem::take(&mut self.endings),
            letters: std::mem::take(&mut self.letters),
            groups: std::mem::take(&mut self.groups),
            choices: std::mem::take(&mut self.choices),
            choice_sets: std::mem::take(&mut self.choice_sets),
            effects: std::mem::take(&mut self.effects),
            choice_count: self.choice_count,
            variant_count: self.variant_count,
            start,
            fingerprint,
            mods: mods.into_iter().map(|(_, m)| m.name).collect(),
            mod_labels: mod_infos.iter().map(ModInfo::label).collect(),
            untagged: self.tagged.1,
            hints,
            axes,
            node_index: Arc::unwrap_or_clone(std::mem::take(&mut self.node_index)),
            variable_index: std::mem::take(&mut self.variable_index),
            character_index: std::mem::take(&mut self.character_index),
        })
    }

    /// Compiles chapters (numbered from `first_chapter`, their nodes from `first_node`) and
    /// returns each node's entry in this compiler's program.
    pub(super) fn compile_chapters(
        &mut self,
        chapters: &[MergedChapter],
        first_chapter: usize,
        first_node: usize,
        (nodes, node_ends): (&[Node], &[usize]),
    ) -> Vec<usize> {
        let mut entries = Vec::new();
        let mut node_ix = first_node;
        for (i, (chapter_id, _, def, origins)) in chapters.iter().enumerate() {
            let chapter_ix = first_chapter + i;
            self.chapter.clone_from(chapter_id);
            for (k, node) in def.nodes.iter().enumerate() {
                if self.duplicates.contains(&(chapter_ix, k)) {
                    continue;
                }
                self.cursor = Cursor {
                    file: origins[k + 1].0,
                    offset: nodes[node_ix].source.offset,
                    start: nodes[node_ix].source.offset,
                    end: node_ends[node_ix],
                };
                self.node = node_ix;
                self.chapter_ix = chapter_ix;
                entries.push(self.ops.len());
                self.compile_node(node);
                node_ix += 1;
            }
        }
        entries
    }
}
