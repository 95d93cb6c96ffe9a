//! The flowchart, built from the dialogue data alone (so every mod gets one): per chapter, its
//! nodes as boxes (with their first line and their choices), the endings and the other chapters
//! they lead to, and the links between them, laid out as a layered chart by Sugiyama's method
//! (`rust-sugiyama`). What the player has seen is not here: the game colours the chart from the
//! record (`record::Record`), so the same layout serves every playthrough and is computed once
//! per story (its fingerprint).
//!
//! The layout is deterministic: the same story gives the same chart (the library's internal
//! maps are keyed, never iterated for placement; a test holds it to that). If the library
//! fails on some graph, the chapter falls back to a plain layering by distance from its start,
//! so a chart is always drawn.

use super::model::{Op, Story};

/// Box sizes in chart units (the game scales them).
pub const BOX_W: f32 = 220.0;
/// See `BOX_W`.
pub const BOX_H: f32 = 64.0;
/// Space between boxes and between layers.
const GAP: f64 = 48.0;

/// The whole story's chart: a chart per chapter, in playing order.
#[derive(Debug, Clone, PartialEq)]
pub struct Flowchart {
    /// The story's fingerprint the chart was made for.
    pub fingerprint: String,
    /// One per chapter.
    pub chapters: Vec<ChapterChart>,
}

/// One chapter's chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChapterChart {
    /// The chapter's id and title.
    pub id: String,
    /// See `id`.
    pub title: String,
    /// Its boxes: the chapter's nodes first (in the story's order), then endings and exits.
    pub boxes: Vec<ChartBox>,
    /// Links between boxes (indices into `boxes`), each once.
    pub links: Vec<ChartLink>,
    /// The chart's extent, in chart units (boxes lie within `0..w`, `0..h`).
    pub size: (f32, f32),
}

/// What a box stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum BoxKind {
    /// A node (its index in the story).
    Node(usize),
    /// An ending (its index).
    Ending(usize),
    /// The way on to another chapter (its index).
    Exit(usize),
}

/// One box of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartBox {
    /// What it stands for.
    pub kind: BoxKind,
    /// Its stable id: `chapter.node`, the ending's id, or the chapter's.
    pub id: String,
    /// What a player who has been there reads in it: the node's first line (speaker and words,
    /// as written), the ending's or chapter's title.
    pub label: String,
    /// Its choices (nodes only).
    pub choices: Vec<ChartChoice>,
    /// Whether the player decides here (a choice menu or a letter).
    pub decision: bool,
    /// The box's top-left corner, in chart units.
    pub x: f32,
    /// See `x`.
    pub y: f32,
}

/// A choice of a node, as the chart shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartChoice {
    /// The key the record keeps it by: `chapter.node/choice`.
    pub key: String,
    /// Its words, as written.
    pub text: String,
    /// The box it leads to, when it leads somewhere in the chart.
    pub to: Option<usize>,
}

/// A link from one box to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartLink {
    /// Index into `boxes`.
    pub from: usize,
    /// Index into `boxes`.
    pub to: usize,
}

impl Flowchart {
    /// Lays out every chapter of the story.
    pub fn of(story: &Story) -> Flowchart {
        let ranges = story.node_ranges();
        Flowchart {
            fingerprint: story.fingerprint.clone(),
            chapters: (0..story.chapters.len())
                .map(|c| chapter_chart(story, c, &ranges))
                .collect(),
        }
    }

    /// How many node boxes, and how many choices, the chart holds (for checks against
    /// `explore`).
    pub fn counts(&self) -> (usize, usize) {
        self.chapters.iter().fold((0, 0), |(n, c), ch| {
            let nodes = ch
                .boxes
                .iter()
                .filter(|b| matches!(b.kind, BoxKind::Node(_)))
                .count();
            let choices: usize = ch.boxes.iter().map(|b| b.choices.len()).sum();
            (n + nodes, c + choices)
        })
    }
}

/// Where the walk from an op first leaves the node: a node or an ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Node(usize),
    Ending(usize),
}

/// Follows a choice's block (effects, `then`, the way on) to where it leads.
fn follow(story: &Story, from: usize) -> Option<Target> {
    let mut pc = from;
    // Bounded: a block is short, and jumps only go forward to the node's way on.
    for _ in 0..10_000 {
        match story.ops.get(pc)? {
            Op::Goto(n, _) => return Some(Target::Node(*n as usize)),
            Op::End(e) => return Some(Target::Ending(*e)),
            Op::Jump(t) => pc = *t,
            Op::Choices(_) | Op::DeadEnd(_) | Op::Return => return None,
            _ => pc += 1,
        }
    }
    None
}

fn chapter_chart(story: &Story, chapter: usize, ranges: &[std::ops::Range<usize>]) -> ChapterChart {
    let ch = &story.chapters[chapter];
    let nodes: Vec<usize> = (0..story.nodes.len())
        .filter(|&n| story.nodes[n].chapter == chapter)
        .collect();
    let mut boxes: Vec<ChartBox> = Vec::new();
    let mut index_of = std::collections::HashMap::new();
    for &n in &nodes {
        index_of.insert(n, boxes.len());
        boxes.push(ChartBox {
            kind: BoxKind::Node(n),
            id: story.nodes[n].id.clone(),
            label: first_line(story, ranges[n].clone()),
            choices: Vec::new(),
            decision: false,
            x: 0.0,
            y: 0.0,
        });
    }
    // Endings and other chapters get a box the first time something leads there.
    let extra = |boxes: &mut Vec<ChartBox>, kind: BoxKind| -> usize {
        if let Some(i) = boxes.iter().position(|b| b.kind == kind) {
            return i;
        }
        let (id, label) = match &kind {
            BoxKind::Ending(e) => (
                story.endings[*e].id.clone(),
                format!("Ending: {}", story.endings[*e].title),
            ),
            BoxKind::Exit(c) => (
                story.chapters[*c].id.clone(),
                format!(
                    "{}. {}",
                    story.chapters[*c].number, story.chapters[*c].title
                ),
            ),
            BoxKind::Node(n) => (story.nodes[*n].id.clone(), String::new()),
        };
        boxes.push(ChartBox {
            kind,
            id,
            label,
            choices: Vec::new(),
            decision: false,
            x: 0.0,
            y: 0.0,
        });
        boxes.len() - 1
    };
    let mut links: Vec<ChartLink> = Vec::new();
    let link = |links: &mut Vec<ChartLink>, from: usize, to: usize| {
        let l = ChartLink { from, to };
        if from != to && !links.contains(&l) {
            links.push(l);
        }
    };
    let target_box = |boxes: &mut Vec<ChartBox>, t: Target| -> usize {
        match t {
            Target::Node(n) => match index_of.get(&n) {
                Some(&i) => i,
                None => extra(boxes, BoxKind::Exit(story.nodes[n].chapter)),
            },
            Target::Ending(e) => extra(boxes, BoxKind::Ending(e)),
        }
    };
    for &n in &nodes {
        let from = index_of[&n];
        for pc in ranges[n].clone() {
            let to = match &story.ops[pc] {
                Op::Goto(t, _) | Op::Detour(t, _) => Some(Target::Node(*t as usize)),
                Op::Enter(_, _, Some(gate)) => Some(Target::Node(gate.1)),
                Op::End(e) => Some(Target::Ending(*e)),
                Op::Letter(_) => {
                    boxes[from].decision = true;
                    None
                }
                Op::Choices(set) => {
                    boxes[from].decision = true;
                    for c in story.choice_set(set.set as usize) {
                        let to = follow(story, c.entry).map(|t| target_box(&mut boxes, t));
                        boxes[from].choices.push(ChartChoice {
                            key: format!("{}/{}", story.nodes[n].id, c.id),
                            text: c.text.source(story).replace("{{", "{").replace("}}", "}"),
                            to,
                        });
                    }
                    None
                }
                _ => None,
            };
            if let Some(t) = to {
                let to = target_box(&mut boxes, t);
                link(&mut links, from, to);
            }
        }
    }
    let size = lay_out(&mut boxes, &links, index_of.get(&ch.start).copied());
    ChapterChart {
        id: ch.id.clone(),
        title: ch.title.clone(),
        boxes,
        links,
        size,
    }
}

/// The node's first line: speaker and words as written, cut to a box's worth.
fn first_line(story: &Story, ops: std::ops::Range<usize>) -> String {
    let line = ops.into_iter().find_map(|pc| match &story.ops[pc] {
        Op::Line(l) => Some(l),
        _ => None,
    });
    let Some(l) = line else {
        return String::new();
    };
    let words = l.text.source(story).replace("{{", "{").replace("}}", "}");
    let text = match story.characters.get(l.speaker as usize) {
        Some(c) => format!("{}: {words}", c.name.source(story)),
        None => words,
    };
    cut(&text, 90)
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max - 1).collect();
    s.push('…');
    s
}

/// Places the boxes: Sugiyama's layered layout, top to bottom, disjoint parts side by side;
/// returns the chart's size.
fn lay_out(boxes: &mut [ChartBox], links: &[ChartLink], start: Option<usize>) -> (f32, f32) {
    if boxes.is_empty() {
        return (0.0, 0.0);
    }
    let vertices: Vec<(u32, (f64, f64))> = (0..boxes.len())
        .map(|i| (i as u32, (f64::from(BOX_W), f64::from(BOX_H))))
        .collect();
    let edges: Vec<(u32, u32)> = links.iter().map(|l| (l.from as u32, l.to as u32)).collect();
    let config = rust_sugiyama::configure::Config {
        vertex_spacing: GAP,
        ..Default::default()
    };
    // The library is trusted with ordinary graphs; should it fail on an odd one, the chart is
    // still drawn (layers by distance from the start).
    let laid = std::panic::catch_unwind(|| {
        rust_sugiyama::from_vertices_and_edges(&vertices, &edges, &config)
    });
    let mut placed = vec![false; boxes.len()];
    let (mut width, mut height) = (0.0f32, 0.0f32);
    if let Ok(parts) = laid {
        let mut x0 = 0.0f32;
        for (part, w, h) in parts {
            let min_x = part.iter().map(|(_, (x, _))| *x).fold(f64::MAX, f64::min);
            let min_y = part.iter().map(|(_, (_, y))| *y).fold(f64::MAX, f64::min);
            for (v, (x, y)) in part {
                if let Some(b) = boxes.get_mut(v) {
                    b.x = x0 + (x - min_x) as f32;
                    // The library's layers grow upwards: the story reads downwards.
                    b.y = (y - min_y) as f32;
                    placed[v] = true;
                }
            }
            x0 += w as f32 + BOX_W + GAP as f32;
            width = x0;
            height = height.max(h as f32 + BOX_H);
        }
    }
    if placed.iter().all(|p| *p) {
        // Layers as the library numbers them can run either way: make the start the top.
        if let Some(s) = start {
            let top = boxes[s].y;
            let bottom = boxes.iter().map(|b| b.y).fold(0.0f32, f32::max);
            if top > bottom / 2.0 {
                for b in boxes.iter_mut() {
                    b.y = bottom - b.y;
                }
            }
        }
        let w = boxes.iter().map(|b| b.x + BOX_W).fold(0.0f32, f32::max);
        let h = boxes.iter().map(|b| b.y + BOX_H).fold(0.0f32, f32::max);
        return (w.max(width.min(w)), h.max(height.min(h)));
    }
    fallback(boxes, links, start)
}

/// Layers by distance from the start (breadth first), boxes side by side in each layer.
fn fallback(boxes: &mut [ChartBox], links: &[ChartLink], start: Option<usize>) -> (f32, f32) {
    let mut layer = vec![usize::MAX; boxes.len()];
    let mut queue = std::collections::VecDeque::new();
    if let Some(s) = start {
        layer[s] = 0;
        queue.push_back(s);
    }
    while let Some(b) = queue.pop_front() {
        for l in links.iter().filter(|l| l.from == b) {
            if layer[l.to] == usize::MAX {
                layer[l.to] = layer[b] + 1;
                queue.push_back(l.to);
            }
        }
    }
    let deepest = layer
        .iter()
        .filter(|l| **l != usize::MAX)
        .max()
        .copied()
        .unwrap_or(0);
    for l in layer.iter_mut().filter(|l| **l == usize::MAX) {
        *l = deepest + 1;
    }
    let mut across = vec![0usize; deepest + 2];
    let step_x = BOX_W + GAP as f32;
    let step_y = BOX_H + GAP as f32;
    for (b, &l) in boxes.iter_mut().zip(&layer) {
        b.x = across[l] as f32 * step_x;
        b.y = l as f32 * step_y;
        across[l] += 1;
    }
    let widest = across.iter().max().copied().unwrap_or(1);
    (widest as f32 * step_x, (deepest + 2) as f32 * step_y)
}
