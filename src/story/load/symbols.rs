//! Symbols: names declared in the manifests (variables, characters, endings) and checked as
//! identifiers (a mod's stored as `mod/name`, looked up own-first by `Compiler::scoped`), and targets (`node`, `chapter.node`, `chapter`) resolved to nodes, with
//! "did you mean" hints.

use super::*;

impl<'a> Compiler<'a> {
    /// Resolves a target: `node` in the current chapter, `chapter.node`, or `chapter`.
    pub(super) fn resolve(&self, target: &str) -> Result<NodeIx, Option<String>> {
        let namespaced = target.starts_with('@') || self.ns_for(target).is_some();
        let found = if namespaced {
            // A mod's name (or an explicit `@mod/...`): its own ids first, then the story's.
            self.candidates(target).iter().find_map(|c| {
                if c.contains('.') {
                    self.node_index.get(c).copied()
                } else {
                    self.chapter_starts.get(c).copied()
                }
            })
        } else if target.contains('.') {
            self.node_index.get(target).copied()
        } else {
            self.node_index
                .get(&format!("{}.{target}", self.chapter))
                .copied()
                .or_else(|| self.chapter_starts.get(target).copied())
        };
        found.ok_or_else(|| {
            // A flood of unknown targets (a generated or hostile file) must not cost a
            // comparison with every node each: only the first ones get a "did you mean".
            let left = self.hints_left.get();
            if left == 0 {
                return Some(
                    "a target is a node of this chapter, `chapter.node`, or a chapter id".into(),
                );
            }
            self.hints_left.set(left - 1);
            // Only now, with a problem to report, list this chapter's own node names.
            let prefix = format!("{}.", self.chapter);
            let candidates = self
                .node_index
                .keys()
                .filter_map(|k| k.strip_prefix(&prefix))
                .chain(self.chapter_ids.iter().map(String::as_str))
                .chain(self.node_index.keys().map(String::as_str));
            did_you_mean(target, candidates).or_else(|| {
                Some("a target is a node of this chapter, `chapter.node`, or a chapter id".into())
            })
        })
    }

    pub(super) fn target(&mut self, target: &str) -> Option<NodeIx> {
        match self.resolve(target) {
            Ok(n) => {
                self.advance(target);
                Some(n)
            }
            Err(hint) => {
                self.report(
                    Severity::Error,
                    "E002",
                    Some(target),
                    format!("no node or chapter is called `{target}`"),
                    hint,
                );
                self.advance(target);
                None
            }
        }
    }

    /// The internal id a name declared in a mod's file takes: `mod/name`, so two mods' names
    /// never meet; the base story's names stay as written.
    pub(super) fn own_id(&self, name: &str) -> String {
        match self.ns_for(name) {
            Some(ns) => format!("{ns}/{name}"),
            None => name.to_owned(),
        }
    }

    /// Looks a written name up among declared names (variables, characters, endings, letters):
    /// `@base/x` is the story's `x`, `@m/x` the mod `m`'s; a bare name in a mod's file is its
    /// own first, then the story's, then the one other mod's that declares it (how mods written
    /// before namespaces read each other's names; with two such mods it is ambiguous and not
    /// found, so the writer is told to be explicit).
    pub(super) fn scoped(&self, index: &Map<String, usize>, name: &str) -> Option<usize> {
        match mods::explicit(name) {
            Some(("base", rest)) => index.get(rest).copied(),
            Some((ns, rest)) => index.get(&format!("{ns}/{rest}")).copied(),
            None => {
                let own = self
                    .ns_for(name)
                    .and_then(|ns| index.get(&format!("{ns}/{name}")).copied());
                own.or_else(|| index.get(name).copied()).or_else(|| {
                    // Only on a miss: a scan of the names, not a cost every lookup pays.
                    let suffix = format!("/{name}");
                    let mut others = index.iter().filter(|(k, _)| k.ends_with(&suffix));
                    match (others.next(), others.next()) {
                        (Some((_, &i)), None) => Some(i),
                        _ => None,
                    }
                })
            }
        }
    }

    pub(super) fn ending(&mut self, id: &str) -> Option<usize> {
        match self.scoped(&self.ending_index, id) {
            Some(e) => {
                self.advance(id);
                Some(e)
            }
            None => {
                let hint = did_you_mean(id, self.ending_index.keys().map(String::as_str))
                    .or_else(|| Some("declare it in `endings` in story.ron".into()));
                self.report(
                    Severity::Error,
                    "E007",
                    Some(id),
                    format!("no ending is called `{id}`"),
                    hint,
                );
                self.advance(id);
                None
            }
        }
    }

    /// Reports a declaration that cannot stand: a name declared twice (at its second place), or
    /// a name that is not an identifier or is a word of the condition language. True when
    /// reported.
    pub(super) fn bad_declaration(
        &mut self,
        file: usize,
        what: &str,
        name: &str,
        again: usize,
        taken: bool,
    ) -> bool {
        self.cursor = Cursor::file(file);
        let span = self.sources[file].find_nth_literal(name, again);
        let problem = if taken || again > 0 {
            // Declared first in another manifest (a mod's, or the story's): name that place, so
            // two mods that clash are both found.
            let first = (taken && again == 0)
                .then(|| {
                    self.sources.iter().enumerate().find_map(|(f, src)| {
                        let manifest = src.text.contains("Story(") || src.text.contains("Mod(");
                        (f != file && manifest)
                            .then(|| src.find_nth_literal(name, 0))
                            .flatten()
                            .map(|at| {
                                let (l, c) = src.line_col(at.start);
                                format!(" (first in {}:{l}:{c})", src.path.display())
                            })
                    })
                })
                .flatten()
                .unwrap_or_default();
            Some((
                "E003",
                format!("the {what} `{name}` is declared twice{first}"),
                // Each mod's names are its own (`mod/name`), so a clash is always within one
                // manifest: renaming is the whole answer.
                "rename one of them".to_string(),
            ))
        } else if !is_identifier(name) {
            Some((
                "E024",
                format!("`{name}` is not a valid {what} name"),
                "use letters, digits and `_`, starting with a letter".to_string(),
            ))
        } else if RESERVED.contains(&name) {
            Some((
                "E024",
                format!("`{name}` is a word of the condition language and cannot name a {what}"),
                "choose another name".to_string(),
            ))
        } else {
            None
        };
        let Some((code, message, hint)) = problem else {
            return false;
        };
        let span = span.unwrap_or_else(|| self.locate(None));
        let d = self.sources[file].diagnostic(Severity::Error, code, span, message, Some(hint));
        self.diagnostics.push(d);
        true
    }

    pub(super) fn declare_variables(&mut self, file: usize, vars: &Decls<VarDef>) {
        for decl in vars.iter() {
            let (name, def) = (&decl.name, &decl.value);
            self.cursor = Cursor::file(file);
            // A mod's variable is its own (`mod/name`): another mod's `name` is another.
            let key = self
                .ns_of_file(file)
                .map_or_else(|| name.clone(), |ns| format!("{ns}/{name}"));
            let taken = self.variable_index.contains_key(&key);
            if self.bad_declaration(file, "variable", name, decl.again, taken) {
                continue;
            }
            if name == "chapter" {
                self.report(
                    Severity::Error,
                    "E003",
                    Some(name),
                    "`chapter` is built in (the current chapter's number)",
                    Some("choose another name".into()),
                );
                continue;
            }
            let (ty, default) = match def {
                VarDef::Number(n) => (VarType::Number, Value::Number(*n)),
                VarDef::Flag(b) => (VarType::Flag, Value::Flag(*b)),
                VarDef::Text(t) => (VarType::Text, Value::Text(t.clone())),
                VarDef::Fact => (VarType::Fact, Value::Fact(None)),
            };
            self.variable_index
                .insert(key.clone(), self.variables.len());
            self.variables.push(Variable {
                name: key,
                ty,
                default,
            });
        }
    }

    pub(super) fn declare_characters(&mut self, file: usize, chars: &Decls<CharacterDef>) {
        // Names are compiled after variables, so `{os_name}` resolves.
        for decl in chars.iter() {
            let (id, def) = (&decl.name, &decl.value);
            let key = self
                .ns_of_file(file)
                .map_or_else(|| id.clone(), |ns| format!("{ns}/{id}"));
            let taken = self.character_index.contains_key(&key);
            if self.bad_declaration(file, "character", id, decl.again, taken) {
                continue;
            }
            self.advance(id);
            let name = self.template(&def.name);
            self.character_index
                .insert(key.clone(), self.characters.len());
            self.characters.push(Character {
                id: key,
                name,
                os: def.os,
            });
        }
    }

    pub(super) fn declare_endings(&mut self, file: usize, endings: &Decls<EndingDef>) {
        for decl in endings.iter() {
            let (id, def) = (&decl.name, &decl.value);
            let key = self
                .ns_of_file(file)
                .map_or_else(|| id.clone(), |ns| format!("{ns}/{id}"));
            let taken = self.ending_index.contains_key(&key);
            if self.bad_declaration(file, "ending", id, decl.again, taken) {
                continue;
            }
            self.check_braces(&def.title);
            self.check_braces(&def.summary);
            self.ending_index.insert(key.clone(), self.endings.len());
            self.endings.push(Ending {
                id: key,
                title: self.kept_text(&def.title),
                summary: self.kept_text(&def.summary),
            });
        }
    }
}

impl Scope for Compiler<'_> {
    fn variable(&self, name: &str) -> Option<(usize, VarType)> {
        self.scoped(&self.variable_index, name)
            .map(|i| (i, self.variables[i].ty))
    }

    fn node(&self, path: &str) -> Result<usize, Option<String>> {
        self.resolve(path)
    }

    fn letter(&self, id: &str) -> Result<usize, Option<String>> {
        // A mod's letters are its own, as its variables are: `@base/anniversary` is the story's.
        self.scoped(&self.letter_index, id).ok_or_else(|| {
            did_you_mean(id, self.letter_index.keys().map(String::as_str)).or_else(letter_hint)
        })
    }

    fn variable_hint(&self, name: &str) -> Option<String> {
        // A node's name where a variable was expected: the writer means "has been there".
        let node = self
            .node_index
            .contains_key(&format!("{}.{name}", self.chapter))
            || self.node_index.contains_key(name)
            || self.chapter_starts.contains_key(name);
        if node {
            return Some(format!(
                "`{name}` is a node, not a variable: to ask whether the player has been there, write `seen({name})`"
            ));
        }
        did_you_mean(name, self.variable_index.keys().map(String::as_str))
    }
}

/// Words of the condition language (and built-ins) that cannot name a variable, character or
/// ending.
const RESERVED: &[&str] = &[
    "and", "or", "not", "true", "false", "remember", "forget", "seen", "visits", "wrote", "chapter",
];

/// Whether a name is an identifier: a letter, then letters, digits and `_`.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether a node or chapter id can be named in a target: letters, digits, `_` and `-` (no `.`,
/// which separates `chapter.node`, no `:` or spaces).
pub(super) fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
