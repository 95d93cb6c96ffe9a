// The ink comparison (issue #12): compiles scene.ink with inkjs, plays it on many seeded random
// paths, plays the same picks in our port with `her read`, and compares the two transcripts
// line by line and option list by option list. Also counts both sides' lines and bytes and fails
// when the port is over 1.3 times the ink's lines.
//
//   node compare.mjs --her PATH/TO/her [--paths 500] [--seed 1] [--show 3,1,2]
//
// Exits 0 when every path agrees and the ratio holds; 1 otherwise, with the first difference.

import { readFileSync, readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Compiler } from "inkjs/full";

const here = dirname(fileURLToPath(import.meta.url));
const INK = join(here, "scene.ink");
const PORT = join(here, "port");
const MAX_RATIO = 1.3;
// ink has no speakers: the player's own words are the choices he takes, printed bare. Our
// transcript prints them as the player character's lines, so that name is dropped on our side.
const PLAYER = "Theodore";

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const her = opt("her", process.env.HER);
const paths = Number(opt("paths", 500));
const baseSeed = Number(opt("seed", 1));
const show = opt("show", null);
if (!her) {
  console.error("usage: node compare.mjs --her PATH/TO/her [--paths N] [--seed S] [--show 1,2,3]");
  process.exit(2);
}

// --- line counts -------------------------------------------------------------------------------

/** The non-blank, non-comment lines of a file (`//` to the end of a line, `/* ... *​/`). */
function codeLines(text) {
  const out = [];
  let inBlock = false;
  for (const raw of text.split("\n")) {
    let line = raw;
    if (inBlock) {
      const end = line.indexOf("*/");
      if (end < 0) continue;
      line = line.slice(end + 2);
      inBlock = false;
    }
    const start = line.indexOf("/*");
    if (start >= 0 && !line.slice(0, start).includes('"')) {
      const end = line.indexOf("*/", start + 2);
      if (end < 0) inBlock = true;
      line = line.slice(0, start) + (end < 0 ? "" : line.slice(end + 2));
    }
    const t = line.trim();
    if (t === "" || t.startsWith("//")) continue;
    out.push(t);
  }
  return out;
}

const bytes = (lines) => lines.reduce((n, l) => n + Buffer.byteLength(l, "utf8"), 0);
const inkLines = codeLines(readFileSync(INK, "utf8"));
const portLines = readdirSync(PORT)
  .filter((f) => f.endsWith(".ron"))
  .sort()
  .flatMap((f) => codeLines(readFileSync(join(PORT, f), "utf8")));
// The stable ids `her tag` stamps (`#line:...` tags, choice ids) are for saves, not writing.
const untagged = portLines.map((l) =>
  l.replace(/ #line:[A-Za-z0-9_-]+/g, "").replace(/, id: "[^"]*"/g, ""),
);
const lineRatio = portLines.length / inkLines.length;
console.log(
  `lines: ink ${inkLines.length}, port ${portLines.length}: ${lineRatio.toFixed(2)}x (limit ${MAX_RATIO}x)`,
);
console.log(
  `bytes (without indentation): ink ${bytes(inkLines)}, port ${bytes(portLines)}: ` +
    `${(bytes(portLines) / bytes(inkLines)).toFixed(2)}x; without the stable ids ${bytes(untagged)}: ` +
    `${(bytes(untagged) / bytes(inkLines)).toFixed(2)}x`,
);

// --- playing -----------------------------------------------------------------------------------

const norm = (s) => s.replace(/\s+/g, " ").trim();

const compiler = new Compiler(readFileSync(INK, "utf8"));
const story = compiler.Compile();
if (!story || compiler.errors.length) {
  console.error("the ink does not compile:\n" + compiler.errors.join("\n"));
  process.exit(1);
}
for (const w of compiler.warnings) console.error(`ink warning: ${w}`);

/** A small seeded generator (mulberry32), so a path can be named by its seed. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Plays the ink: with `fixed` picks (1-based) or, past them, random ones. Returns the picks made
 * and the transcript as a list of entries: `line`, `options: a | b`, `ending: title`.
 */
function playInk(next, fixed = []) {
  story.ResetState();
  const out = [];
  const picks = [];
  let ending = null;
  for (let turn = 0; turn < 500; turn++) {
    while (story.canContinue) {
      const text = norm(story.Continue());
      for (const tag of story.currentTags) {
        const m = /^ending:\s*(.*)$/.exec(tag.trim());
        if (m) ending = m[1].trim();
      }
      if (text) out.push(text);
    }
    const choices = story.currentChoices;
    if (choices.length === 0) {
      out.push(`ending: ${ending ?? "(none)"}`);
      return { picks, out };
    }
    out.push(`options: ${choices.map((c) => norm(c.text)).join(" | ")}`);
    const pick = turn < fixed.length ? fixed[turn] : 1 + Math.floor(next() * choices.length);
    if (pick < 1 || pick > choices.length) {
      out.push(`(no option ${pick})`);
      return { picks, out };
    }
    picks.push(pick);
    story.ChooseChoiceIndex(pick - 1);
  }
  out.push("(more than 500 decisions)");
  return { picks, out };
}

/** Plays our port with `her read` and the same picks; the transcript in the same form. */
function playPort(picks) {
  let text;
  try {
    text = execFileSync(her, ["read", PORT, "--choices", picks.join(",")], {
      input: "",
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
    });
  } catch (e) {
    return [`(her read failed: ${norm(String(e.stderr || e.message))})`];
  }
  const out = [];
  let options = [];
  const flush = () => {
    if (options.length) out.push(`options: ${options.join(" | ")}`);
    options = [];
  };
  for (const raw of text.split("\n")) {
    const option = /^ {2}\d+\) (.*)$/.exec(raw);
    if (option) {
      options.push(norm(option[1]));
      continue;
    }
    flush();
    const line = norm(raw);
    const ending = /^\*\*\* Ending: (.*) \*\*\*$/.exec(line);
    if (ending) {
      out.push(`ending: ${ending[1]}`);
      return out;
    }
    // Our transcript's own marks: chapter titles, the picks, scene directives.
    if (!line || /^(== Chapter .* ==|-- end of chapter \d+ --|> \d+|\[scene: .*\])$/.test(line)) continue;
    const said = line.startsWith(`${PLAYER}:`) ? norm(line.slice(PLAYER.length + 1)) : line;
    if (said) out.push(said);
  }
  flush();
  return out;
}

function compare(label, picks, ink) {
  const port = playPort(picks);
  const n = Math.max(ink.length, port.length);
  for (let i = 0; i < n; i++) {
    if (ink[i] !== port[i]) {
      console.error(`\nDIFFERENT on ${label}, choices ${picks.join(",")}, at entry ${i + 1}:`);
      for (let j = Math.max(0, i - 3); j < i; j++) console.error(`   same: ${ink[j]}`);
      console.error(`    ink: ${ink[i] ?? "(nothing)"}`);
      console.error(`   port: ${port[i] ?? "(nothing)"}`);
      return false;
    }
  }
  return true;
}

if (show) {
  const picks = show.split(",").map(Number);
  const { out } = playInk(() => 0, picks);
  console.log(out.join("\n"));
  console.log("---- port");
  console.log(playPort(picks).join("\n"));
  process.exit(compare("--show", picks, out) ? 0 : 1);
}

let failed = lineRatio > MAX_RATIO;
if (failed) console.error(`the port is over ${MAX_RATIO}x the ink's lines`);
const seen = new Set();
const endings = new Map();
let compared = 0;
for (let k = 0; k < paths; k++) {
  const seed = baseSeed * 100003 + k;
  const { picks, out } = playInk(rng(seed));
  compared++;
  seen.add(picks.join(","));
  const ending = out[out.length - 1];
  endings.set(ending, (endings.get(ending) ?? 0) + 1);
  if (!compare(`path ${k} (seed ${seed})`, picks, out)) {
    failed = true;
    break;
  }
}
console.log(
  `paths: ${compared} compared (${seen.size} distinct); ` +
    [...endings].map(([e, n]) => `${e.replace(/^ending: /, "")} ${n}`).join(", "),
);
console.log(failed ? "FAILED" : "the port plays the same as the ink on every path");
process.exit(failed ? 1 : 0);
