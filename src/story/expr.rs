//! Conditions and effects: parsed from short text (`"trust >= 3 && !met_amy"`, `"trust += 1"`)
//! with a pest grammar (`expr.pest`), checked against the declared variables and their types,
//! and compiled to small typed trees that evaluate without looking anything up by name.
//!
//! Typing at load time is what lets evaluation be fast and infallible: a `Cond` can only hold
//! boolean-valued parts, a `Num` only numbers, so the runtime never meets a type error.

use std::ops::Range;

use pest::Parser;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest_derive::Parser;
use serde::{Deserialize, Serialize};

/// The grammar, generated from `expr.pest`.
#[derive(Parser)]
#[grammar = "story/expr.pest"]
struct ExprParser;

/// The type of a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VarType {
    /// A whole number.
    Number,
    /// True or false.
    Flag,
    /// A piece of text.
    Text,
    /// A memory that may be unknown.
    Fact,
}

impl VarType {
    /// The word used for this type in messages and the format reference.
    pub fn word(self) -> &'static str {
        match self {
            VarType::Number => "a number",
            VarType::Flag => "a flag",
            VarType::Text => "text",
            VarType::Fact => "a fact",
        }
    }
}

/// A variable's value at run time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Value {
    /// A number.
    Number(i64),
    /// A flag.
    Flag(bool),
    /// Text.
    Text(String),
    /// A fact: `None` while unknown.
    Fact(Option<String>),
}

impl Value {
    /// The type of this value.
    pub fn var_type(&self) -> VarType {
        match self {
            Value::Number(_) => VarType::Number,
            Value::Flag(_) => VarType::Flag,
            Value::Text(_) => VarType::Text,
            Value::Fact(_) => VarType::Fact,
        }
    }

    /// The value as it reads in text.
    pub fn display(&self) -> String {
        match self {
            Value::Number(n) => n.to_string(),
            Value::Flag(b) => b.to_string(),
            Value::Text(t) => t.clone(),
            Value::Fact(f) => f.clone().unwrap_or_default(),
        }
    }
}

/// A problem in a condition or an effect, placed by byte range within its text.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprError {
    /// Where in the expression text.
    pub span: Range<usize>,
    /// The problem code (`E004`, `E005`, `E006`...).
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: Option<String>,
}

/// What a compiled expression may refer to; implemented by the loader.
pub trait Scope {
    /// A declared variable's slot and type.
    fn variable(&self, name: &str) -> Option<(usize, VarType)>;
    /// A node (or chapter start) target; `Err` carries a hint.
    fn node(&self, path: &str) -> Result<usize, Option<String>>;
    /// A letter id; `Err` carries a hint.
    fn letter(&self, id: &str) -> Result<usize, Option<String>>;
    /// A hint for an unknown variable ("did you mean ...").
    fn variable_hint(&self, name: &str) -> Option<String>;
}

/// What an expression can read while it runs; implemented by the runtime state.
pub trait Env {
    /// A variable's value.
    fn var(&self, slot: usize) -> &Value;
    /// How often a node has been entered.
    fn visits(&self, node: usize) -> u32;
    /// The current chapter's number (1-based).
    fn chapter(&self) -> i64;
    /// Whether a letter has been composed.
    fn wrote(&self, letter: usize) -> bool;
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A compiled condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// A constant.
    Const(bool),
    /// A flag variable.
    Flag(usize),
    /// Whether a fact is known.
    Known(usize),
    /// Logical not.
    Not(Box<Cond>),
    /// Logical and (short-circuit).
    And(Box<Cond>, Box<Cond>),
    /// Logical or (short-circuit).
    Or(Box<Cond>, Box<Cond>),
    /// Compare numbers.
    CmpNum(CmpOp, Num, Num),
    /// Compare text (`==` or `!=`); boxed, being rare and large.
    CmpText(CmpOp, Box<(Txt, Txt)>),
    /// Compare flags (`==` or `!=`).
    CmpFlag(CmpOp, Box<Cond>, Box<Cond>),
    /// The node has been entered at least once.
    Seen(usize),
    /// The letter has been composed.
    Wrote(usize),
}

impl CmpOp {
    /// The comparison that holds exactly when this one does not (`<` and `>=`).
    pub fn negated(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
            CmpOp::Ge => CmpOp::Lt,
        }
    }
}

impl Cond {
    /// Whether exactly one of `self` and `other` holds in every state, seen from their shape:
    /// `x` and `!x`, `trust >= 3` and `trust < 3` (also written `3 > trust`), `a == b` and
    /// `a != b`. Conservative: `false` means "not shown complementary", not "overlapping".
    pub fn complements(&self, other: &Cond) -> bool {
        match (self, other) {
            (Cond::Not(a), b) | (b, Cond::Not(a)) if **a == *b => true,
            (Cond::Const(a), Cond::Const(b)) => a != b,
            (Cond::CmpNum(op, a, b), Cond::CmpNum(op2, c, d)) => {
                (*op2 == op.negated() && a == c && b == d)
                    || (*op2 == op.negated().flipped() && a == d && b == c)
            }
            (Cond::CmpText(op, x), Cond::CmpText(op2, y)) => *op2 == op.negated() && x == y,
            (Cond::CmpFlag(op, a, b), Cond::CmpFlag(op2, c, d)) => {
                *op2 == op.negated() && a == c && b == d
            }
            _ => false,
        }
    }
}

impl CmpOp {
    /// The same comparison with its sides swapped (`a < b` is `b > a`).
    pub fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            same => same,
        }
    }
}

/// A compiled number expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Num {
    /// A constant.
    Const(i64),
    /// A number variable.
    Var(usize),
    /// A node's visit count.
    Visits(usize),
    /// The current chapter's number.
    Chapter,
    /// Sum. (Operands share one box, so a `Num` is two words and a comparison stays small.)
    Add(Box<(Num, Num)>),
    /// Difference.
    Sub(Box<(Num, Num)>),
    /// Product.
    Mul(Box<(Num, Num)>),
    /// Negation.
    Neg(Box<Num>),
}

/// A compiled text expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Txt {
    /// A constant.
    Const(String),
    /// A text variable or a fact's text (empty while unknown).
    Var(usize),
}

/// A compiled effect.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// `n = expr`
    SetNum(usize, Num),
    /// `n += expr` (and `-=`, compiled as adding the negation).
    AddNum(usize, Num),
    /// `flag = cond`
    SetFlag(usize, Cond),
    /// `text = "..."`
    SetText(usize, Txt),
    /// `remember fact` or `remember fact = "..."`.
    Remember(usize, Option<Txt>),
    /// `forget fact`
    Forget(usize),
}

impl Cond {
    /// Evaluates the condition.
    pub fn eval(&self, env: &impl Env) -> bool {
        match self {
            Cond::Const(b) => *b,
            Cond::Flag(slot) => matches!(env.var(*slot), Value::Flag(true)),
            Cond::Known(slot) => matches!(env.var(*slot), Value::Fact(Some(_))),
            Cond::Not(c) => !c.eval(env),
            Cond::And(a, b) => a.eval(env) && b.eval(env),
            Cond::Or(a, b) => a.eval(env) || b.eval(env),
            Cond::CmpNum(op, a, b) => compare(*op, a.eval(env), b.eval(env)),
            Cond::CmpText(op, ab) => {
                let (a, b) = &**ab;
                let equal = a.with(env, |a| b.with(env, |b| a == b));
                (*op == CmpOp::Eq) == equal
            }
            Cond::CmpFlag(op, a, b) => (*op == CmpOp::Eq) == (a.eval(env) == b.eval(env)),
            Cond::Seen(node) => env.visits(*node) > 0,
            Cond::Wrote(letter) => env.wrote(*letter),
        }
    }

    /// Whether the condition can be decided without any state, and its value if so.
    pub fn constant(&self) -> Option<bool> {
        match self {
            Cond::Const(b) => Some(*b),
            Cond::Not(c) => c.constant().map(|b| !b),
            Cond::And(a, b) => match (a.constant(), b.constant()) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
            Cond::Or(a, b) => match (a.constant(), b.constant()) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// Every variable slot the condition reads.
    pub fn reads(&self, out: &mut Vec<usize>) {
        match self {
            Cond::Flag(s) | Cond::Known(s) => out.push(*s),
            Cond::Not(c) => c.reads(out),
            Cond::And(a, b) | Cond::Or(a, b) | Cond::CmpFlag(_, a, b) => {
                a.reads(out);
                b.reads(out);
            }
            Cond::CmpNum(_, a, b) => {
                a.reads(out);
                b.reads(out);
            }
            Cond::CmpText(_, ab) => {
                ab.0.reads(out);
                ab.1.reads(out);
            }
            Cond::Const(_) | Cond::Seen(_) | Cond::Wrote(_) => {}
        }
    }

    /// Every node whose visits the condition reads.
    pub fn nodes(&self, out: &mut Vec<usize>) {
        match self {
            Cond::Seen(n) => out.push(*n),
            Cond::Not(c) => c.nodes(out),
            Cond::And(a, b) | Cond::Or(a, b) | Cond::CmpFlag(_, a, b) => {
                a.nodes(out);
                b.nodes(out);
            }
            Cond::CmpNum(_, a, b) => {
                a.nodes(out);
                b.nodes(out);
            }
            _ => {}
        }
    }

    /// Whether the condition depends on anything besides declared variables (visits, chapter,
    /// letters): such conditions change without any effect and are never "always false".
    pub fn reads_progress(&self) -> bool {
        match self {
            Cond::Seen(_) | Cond::Wrote(_) => true,
            Cond::Not(c) => c.reads_progress(),
            Cond::And(a, b) | Cond::Or(a, b) | Cond::CmpFlag(_, a, b) => {
                a.reads_progress() || b.reads_progress()
            }
            Cond::CmpNum(_, a, b) => a.reads_progress() || b.reads_progress(),
            Cond::Const(_) | Cond::Flag(_) | Cond::Known(_) | Cond::CmpText(..) => false,
        }
    }
}

/// Whether `a op b` holds.
pub(crate) fn compare(op: CmpOp, a: i64, b: i64) -> bool {
    match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
    }
}

impl Num {
    /// Evaluates the number; arithmetic saturates rather than overflowing.
    pub fn eval(&self, env: &impl Env) -> i64 {
        match self {
            Num::Const(n) => *n,
            Num::Var(slot) => match env.var(*slot) {
                Value::Number(n) => *n,
                _ => 0,
            },
            Num::Visits(node) => i64::from(env.visits(*node)),
            Num::Chapter => env.chapter(),
            Num::Add(ab) => ab.0.eval(env).saturating_add(ab.1.eval(env)),
            Num::Sub(ab) => ab.0.eval(env).saturating_sub(ab.1.eval(env)),
            Num::Mul(ab) => ab.0.eval(env).saturating_mul(ab.1.eval(env)),
            Num::Neg(a) => a.eval(env).saturating_neg(),
        }
    }

    fn reads(&self, out: &mut Vec<usize>) {
        match self {
            Num::Var(s) => out.push(*s),
            Num::Add(ab) | Num::Sub(ab) | Num::Mul(ab) => {
                ab.0.reads(out);
                ab.1.reads(out);
            }
            Num::Neg(a) => a.reads(out),
            Num::Const(_) | Num::Visits(_) | Num::Chapter => {}
        }
    }

    fn nodes(&self, out: &mut Vec<usize>) {
        match self {
            Num::Visits(n) => out.push(*n),
            Num::Add(ab) | Num::Sub(ab) | Num::Mul(ab) => {
                ab.0.nodes(out);
                ab.1.nodes(out);
            }
            Num::Neg(a) => a.nodes(out),
            _ => {}
        }
    }

    fn reads_progress(&self) -> bool {
        match self {
            Num::Visits(_) | Num::Chapter => true,
            Num::Add(ab) | Num::Sub(ab) | Num::Mul(ab) => {
                ab.0.reads_progress() || ab.1.reads_progress()
            }
            Num::Neg(a) => a.reads_progress(),
            Num::Const(_) | Num::Var(_) => false,
        }
    }
}

impl Txt {
    /// Calls `f` with the text, without copying it.
    pub fn with<R>(&self, env: &impl Env, f: impl FnOnce(&str) -> R) -> R {
        match self {
            Txt::Const(s) => f(s),
            Txt::Var(slot) => match env.var(*slot) {
                Value::Text(t) => f(t),
                Value::Fact(Some(t)) => f(t),
                _ => f(""),
            },
        }
    }

    fn reads(&self, out: &mut Vec<usize>) {
        if let Txt::Var(s) = self {
            out.push(*s);
        }
    }
}

impl Effect {
    /// The slot this effect writes.
    pub fn target(&self) -> usize {
        match self {
            Effect::SetNum(s, _)
            | Effect::AddNum(s, _)
            | Effect::SetFlag(s, _)
            | Effect::SetText(s, _)
            | Effect::Remember(s, _)
            | Effect::Forget(s) => *s,
        }
    }

    /// Computes the new value of the target slot.
    pub fn apply(&self, env: &impl Env) -> Value {
        match self {
            Effect::SetNum(_, n) => Value::Number(n.eval(env)),
            Effect::AddNum(s, n) => {
                let old = match env.var(*s) {
                    Value::Number(old) => *old,
                    _ => 0,
                };
                Value::Number(old.saturating_add(n.eval(env)))
            }
            Effect::SetFlag(_, c) => Value::Flag(c.eval(env)),
            Effect::SetText(_, t) => Value::Text(t.with(env, str::to_owned)),
            Effect::Remember(_, t) => Value::Fact(Some(
                t.as_ref()
                    .map(|t| t.with(env, str::to_owned))
                    .unwrap_or_default(),
            )),
            Effect::Forget(_) => Value::Fact(None),
        }
    }

    /// Every variable slot the effect reads (besides, for `+=`, its own target).
    pub fn reads(&self, out: &mut Vec<usize>) {
        match self {
            Effect::SetNum(_, n) | Effect::AddNum(_, n) => n.reads(out),
            Effect::SetFlag(_, c) => c.reads(out),
            Effect::SetText(_, t) | Effect::Remember(_, Some(t)) => t.reads(out),
            Effect::Remember(_, None) | Effect::Forget(_) => {}
        }
    }
}

/// A compiled condition and how many things it tests (for variant specificity).
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledCond {
    /// The condition.
    pub cond: Cond,
    /// How many variables, calls and `chapter`s it tests.
    pub specificity: u32,
}

/// The untyped syntax tree, with byte spans for messages.
#[derive(Debug, Clone)]
enum Ast {
    Number(i64),
    Text(String),
    Bool(bool),
    Var(String),
    Call(String, String),
    Not(Box<Node>),
    Neg(Box<Node>),
    Binary(Rule, Box<Node>, Box<Node>),
}

#[derive(Debug, Clone)]
struct Node {
    ast: Ast,
    span: Range<usize>,
}

fn pratt() -> PrattParser<Rule> {
    PrattParser::new()
        .op(Op::infix(Rule::or, Assoc::Left))
        .op(Op::infix(Rule::and, Assoc::Left))
        // `not` binds looser than comparisons, as in Python: `not trust >= 3` is `not (trust >= 3)`.
        .op(Op::prefix(Rule::not))
        .op(Op::infix(Rule::eq, Assoc::Left)
            | Op::infix(Rule::ne, Assoc::Left)
            | Op::infix(Rule::lt, Assoc::Left)
            | Op::infix(Rule::le, Assoc::Left)
            | Op::infix(Rule::gt, Assoc::Left)
            | Op::infix(Rule::ge, Assoc::Left))
        .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
        .op(Op::infix(Rule::mul, Assoc::Left))
        .op(Op::prefix(Rule::neg))
}

thread_local! {
    // Building the operator table is cheap but not free; loading a 100k-node story parses
    // hundreds of thousands of expressions.
    static PRATT: PrattParser<Rule> = pratt();
}

fn build(pairs: Pairs<'_, Rule>) -> Result<Node, ExprError> {
    PRATT.with(|pratt| {
        pratt
            .map_primary(primary)
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                let span = op.as_span().start()..rhs.span.end;
                let ast = if op.as_rule() == Rule::not {
                    Ast::Not(Box::new(rhs))
                } else {
                    Ast::Neg(Box::new(rhs))
                };
                Ok(Node { ast, span })
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let span = lhs.span.start..rhs.span.end;
                Ok(Node {
                    ast: Ast::Binary(op.as_rule(), Box::new(lhs), Box::new(rhs)),
                    span,
                })
            })
            .parse(pairs)
    })
}

fn primary(pair: Pair<'_, Rule>) -> Result<Node, ExprError> {
    let span = pair.as_span().start()..pair.as_span().end();
    let ast = match pair.as_rule() {
        Rule::number => Ast::Number(pair.as_str().parse().map_err(|_| ExprError {
            span: span.clone(),
            code: "E006",
            message: format!("the number {} is too large", pair.as_str()),
            hint: None,
        })?),
        Rule::string => Ast::Text(pair.into_inner().as_str().to_owned()),
        Rule::boolean => Ast::Bool(pair.as_str() == "true"),
        Rule::ident => Ast::Var(pair.as_str().to_owned()),
        Rule::call => {
            let mut inner = pair.into_inner();
            let name = inner
                .next()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default();
            let path = inner
                .next()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default();
            Ast::Call(name, path)
        }
        Rule::expr => return build(pair.into_inner()),
        rule => {
            return Err(ExprError {
                span,
                code: "E006",
                message: format!("unexpected {rule:?}"),
                hint: None,
            });
        }
    };
    Ok(Node { ast, span })
}

fn rule_word(rule: &Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end",
        Rule::expr
        | Rule::number
        | Rule::string
        | Rule::boolean
        | Rule::ident
        | Rule::call
        | Rule::not
        | Rule::neg => "a value",
        Rule::or | Rule::and => "`&&` or `||`",
        Rule::eq | Rule::ne | Rule::le | Rule::ge | Rule::lt | Rule::gt => "a comparison",
        Rule::add | Rule::sub | Rule::mul => "an operator",
        Rule::assign_op => "`=`, `+=` or `-=`",
        Rule::path => "a node or letter id",
        Rule::remember | Rule::forget | Rule::assign => "an effect",
        _ => "something else",
    }
}

fn syntax_error(err: pest::error::Error<Rule>, what: &str) -> ExprError {
    let at = match err.location {
        pest::error::InputLocation::Pos(p) => p..p,
        pest::error::InputLocation::Span((a, b)) => a..b,
    };
    let message = match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<&str> = positives
                .iter()
                .map(rule_word)
                .filter(|w| *w != "something else")
                .collect();
            words.sort_unstable();
            words.dedup();
            if words.is_empty() {
                format!("this {what} cannot be read here")
            } else {
                format!(
                    "this {what} cannot be read here: expected {}",
                    words.join(" or ")
                )
            }
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
    let hint = Some(match what {
        "effect" => {
            "effects look like `trust += 1`, `met_amy = true`, `remember his_fear = \"x\"` or `forget his_fear`".to_owned()
        }
        _ => "conditions look like `trust >= 3 && !met_amy`; text values go in double quotes".to_owned(),
    });
    ExprError {
        span: at,
        code: "E006",
        message,
        hint,
    }
}

/// The longest condition or effect, in bytes: a real one is a few dozen.
pub const MAX_EXPR_BYTES: usize = 1_000;
/// The deepest nesting of a condition or effect: parentheses plus a run of `!`, `not` or `-`.
pub const MAX_EXPR_DEPTH: usize = 32;
/// The most operators in one condition or effect (`&&`, `||`, comparisons, arithmetic).
pub const MAX_EXPR_OPERATORS: usize = 64;

/// Checks the limits before anything parses, so no input can exhaust a stack in parsing, type
/// checking, compiling, evaluating or dropping it (each of those follows the expression's
/// shape). Over a limit: `E021` at the place, saying the limit.
fn check_limits(text: &str) -> Result<(), ExprError> {
    let over = |span: std::ops::Range<usize>, message: String, hint: &str| ExprError {
        span,
        code: "E021",
        message,
        hint: Some(hint.into()),
    };
    if text.len() > MAX_EXPR_BYTES {
        return Err(over(
            0..text.len(),
            format!(
                "this is {} bytes long; a condition or effect may be at most {MAX_EXPR_BYTES}",
                text.len()
            ),
            "split it: set a flag in an earlier effect and test the flag here",
        ));
    }
    let bytes = text.as_bytes();
    let (mut parens, mut prefix, mut operators) = (0usize, 0usize, 0usize);
    let mut expect_operand = true;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let rest = &text[i..];
        let word = |w: &str| {
            rest.starts_with(w)
                && !rest[w.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
        };
        let step = match c {
            b' ' | b'\t' | b'\r' | b'\n' => 1,
            b'"' => rest[1..].find('"').map_or(rest.len(), |e| e + 2),
            b'(' => {
                parens += 1;
                prefix = 0;
                expect_operand = true;
                1
            }
            b')' => {
                parens = parens.saturating_sub(1);
                expect_operand = false;
                1
            }
            b'!' if !rest.starts_with("!=") => {
                prefix += 1;
                1
            }
            b'-' if expect_operand => {
                prefix += 1;
                1
            }
            _ if word("not") => {
                prefix += 1;
                3
            }
            _ if word("and") || word("or") => {
                operators += 1;
                expect_operand = true;
                prefix = 0;
                if word("or") { 2 } else { 3 }
            }
            _ if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' => {
                expect_operand = false;
                prefix = 0;
                1
            }
            _ => {
                operators += 1;
                expect_operand = true;
                prefix = 0;
                let two = ["&&", "||", "==", "!=", "<=", ">=", "+=", "-="];
                if two.iter().any(|t| rest.starts_with(t)) {
                    2
                } else {
                    1
                }
            }
        };
        let depth = parens + prefix;
        if depth > MAX_EXPR_DEPTH {
            return Err(over(
                i..(i + 1).min(text.len()),
                format!(
                    "this is nested deeper than {MAX_EXPR_DEPTH} (parentheses and `!`, `not` or `-` in a row)"
                ),
                "write it flatter: `!!x` is `x`, and a long condition can be split across a flag",
            ));
        }
        if operators > MAX_EXPR_OPERATORS {
            return Err(over(
                i..(i + 1).min(text.len()),
                format!("this has more than {MAX_EXPR_OPERATORS} operators"),
                "split it: set a flag in an earlier effect and test the flag here",
            ));
        }
        i += step.max(1);
        while i < bytes.len() && !text.is_char_boundary(i) {
            i += 1;
        }
    }
    Ok(())
}

/// Parses and type-checks a condition.
pub fn compile_condition(text: &str, scope: &impl Scope) -> Result<CompiledCond, Vec<ExprError>> {
    check_limits(text).map_err(|e| vec![e])?;
    let mut pairs =
        ExprParser::parse(Rule::condition, text).map_err(|e| vec![syntax_error(e, "condition")])?;
    let expr = pairs
        .next()
        .and_then(|c| c.into_inner().next())
        .ok_or_else(|| vec![empty_error(text)])?;
    let node = build(expr.into_inner()).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let mut specificity = 0;
    let cond = Typer {
        scope,
        errors: &mut errors,
        specificity: &mut specificity,
        target: None,
    }
    .cond(&node);
    if errors.is_empty() {
        Ok(CompiledCond { cond, specificity })
    } else {
        Err(errors)
    }
}

fn empty_error(text: &str) -> ExprError {
    ExprError {
        span: 0..text.len(),
        code: "E006",
        message: "this is empty".into(),
        hint: None,
    }
}

/// Parses and type-checks an effect.
pub fn compile_effect(text: &str, scope: &impl Scope) -> Result<Effect, Vec<ExprError>> {
    check_limits(text).map_err(|e| vec![e])?;
    let mut pairs =
        ExprParser::parse(Rule::effect, text).map_err(|e| vec![syntax_error(e, "effect")])?;
    let stmt = pairs
        .next()
        .and_then(|e| e.into_inner().next())
        .ok_or_else(|| vec![empty_error(text)])?;
    let rule = stmt.as_rule();
    let mut inner = stmt.into_inner();
    let mut errors = Vec::new();
    let mut specificity = 0;
    let mut typer = Typer {
        scope,
        errors: &mut errors,
        specificity: &mut specificity,
        target: None,
    };
    // `remember` and `forget` carry their keyword as the first pair.
    if matches!(rule, Rule::remember | Rule::forget) {
        inner.next();
    }
    let Some(target) = inner.next() else {
        return Err(vec![empty_error(text)]);
    };
    let name = target.as_str();
    let name_span = target.as_span().start()..target.as_span().end();
    let Some((slot, ty)) = typer.variable(name, &name_span) else {
        return Err(errors);
    };
    typer.target = Some((name.to_owned(), ty));
    let effect = match rule {
        Rule::forget | Rule::remember => {
            if ty != VarType::Fact {
                typer.error(
                    name_span,
                    "E005",
                    format!(
                        "`{name}` is {}, and only facts are remembered or forgotten",
                        ty.word()
                    ),
                    Some(format!("set it with `{name} = ...` instead")),
                );
            }
            if rule == Rule::forget {
                Effect::Forget(slot)
            } else {
                let value = inner.next().map(|v| {
                    let node = build(v.into_inner());
                    match node {
                        Ok(node) => typer.txt(&node),
                        Err(e) => {
                            typer.errors.push(e);
                            Txt::Const(String::new())
                        }
                    }
                });
                Effect::Remember(slot, value)
            }
        }
        _ => {
            let op = inner
                .next()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default();
            let Some(value) = inner.next() else {
                return Err(vec![empty_error(text)]);
            };
            let node = build(value.into_inner()).map_err(|e| vec![e])?;
            match (ty, op.as_str()) {
                (VarType::Number, "=") => Effect::SetNum(slot, typer.num(&node)),
                (VarType::Number, "+=") => Effect::AddNum(slot, typer.num(&node)),
                (VarType::Number, _) => Effect::AddNum(
                    slot,
                    // `n -= 1` is adding -1: fold it, so the effect needs no box.
                    match typer.num(&node) {
                        Num::Const(k) => Num::Const(k.saturating_neg()),
                        other => Num::Neg(Box::new(other)),
                    },
                ),
                (VarType::Flag, "=") => Effect::SetFlag(slot, typer.cond(&node)),
                (VarType::Text, "=") => Effect::SetText(slot, typer.txt(&node)),
                (VarType::Fact, _) => {
                    typer.error(
                        name_span,
                        "E005",
                        format!("`{name}` is a fact: facts are remembered, not set"),
                        Some(format!("write `remember {name} = ...` or `forget {name}`")),
                    );
                    Effect::Forget(slot)
                }
                (ty, op) => {
                    typer.error(
                        name_span,
                        "E005",
                        format!("`{op}` needs a number, and `{name}` is {}", ty.word()),
                        Some(format!("write `{name} = ...`")),
                    );
                    Effect::Forget(slot)
                }
            }
        }
    };
    if errors.is_empty() {
        Ok(effect)
    } else {
        Err(errors)
    }
}

/// Checks a name for interpolation into text: returns its slot.
pub fn check_interpolation(name: &str, scope: &impl Scope) -> Result<usize, ExprError> {
    scope
        .variable(name)
        .map(|(slot, _)| slot)
        .ok_or_else(|| ExprError {
            span: 0..name.len(),
            code: "E010",
            message: format!("`{{{name}}}` names no variable"),
            hint: scope.variable_hint(name).or_else(|| {
                Some("declare it in story.ron, or write `{{` for a literal brace".into())
            }),
        })
}

/// Type-checks the syntax tree into `Cond`/`Num`/`Txt`, collecting every error.
struct Typer<'a, S: Scope> {
    scope: &'a S,
    errors: &'a mut Vec<ExprError>,
    specificity: &'a mut u32,
    /// In an effect: the variable it sets, and its type, so a wrong value gets an effect's
    /// hint (what to write instead), not a condition's.
    target: Option<(String, VarType)>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Bool,
    Num,
    Text,
}

impl<S: Scope> Typer<'_, S> {
    fn error(
        &mut self,
        span: Range<usize>,
        code: &'static str,
        message: String,
        hint: Option<String>,
    ) {
        self.errors.push(ExprError {
            span,
            code,
            message,
            hint,
        });
    }

    fn variable(&mut self, name: &str, span: &Range<usize>) -> Option<(usize, VarType)> {
        let found = self.scope.variable(name);
        if found.is_none() {
            let hint = self
                .scope
                .variable_hint(name)
                .or_else(|| Some("declare it in `variables` in story.ron".into()));
            self.error(
                span.clone(),
                "E004",
                format!("`{name}` is not a declared variable"),
                hint,
            );
        }
        found
    }

    fn kind(&self, node: &Node) -> Option<Kind> {
        Some(match &node.ast {
            Ast::Number(_) | Ast::Neg(_) => Kind::Num,
            Ast::Text(_) => Kind::Text,
            Ast::Bool(_) | Ast::Not(_) => Kind::Bool,
            Ast::Var(name) if name == "chapter" && self.scope.variable(name).is_none() => Kind::Num,
            Ast::Var(name) => match self.scope.variable(name)?.1 {
                VarType::Number => Kind::Num,
                VarType::Flag | VarType::Fact => Kind::Bool,
                VarType::Text => Kind::Text,
            },
            Ast::Call(name, _) => {
                if name == "visits" {
                    Kind::Num
                } else {
                    Kind::Bool
                }
            }
            Ast::Binary(rule, lhs, _) => match rule {
                Rule::add | Rule::sub | Rule::mul => Kind::Num,
                Rule::or | Rule::and => Kind::Bool,
                _ => {
                    let _ = lhs;
                    Kind::Bool
                }
            },
        })
    }

    fn describe(&self, node: &Node) -> &'static str {
        match self.kind(node) {
            Some(Kind::Num) => "a number",
            Some(Kind::Text) => "text",
            Some(Kind::Bool) => "true or false",
            None => "unknown",
        }
    }

    fn call_target(&mut self, name: &str, path: &str, span: &Range<usize>) -> Option<usize> {
        *self.specificity += 1;
        let found = if name == "wrote" {
            self.scope.letter(path)
        } else {
            self.scope.node(path)
        };
        match found {
            Ok(i) => Some(i),
            Err(hint) => {
                let (code, what) = if name == "wrote" {
                    ("E008", "letter")
                } else {
                    ("E002", "node or chapter")
                };
                self.error(
                    span.clone(),
                    code,
                    format!("no {what} is called `{path}`"),
                    hint,
                );
                None
            }
        }
    }

    fn cond(&mut self, node: &Node) -> Cond {
        match &node.ast {
            Ast::Bool(b) => Cond::Const(*b),
            Ast::Var(name) => {
                if let Some(kind) = self.kind(node).filter(|k| *k != Kind::Bool) {
                    self.mismatch(node, "true or false", kind);
                    return Cond::Const(false);
                }
                *self.specificity += 1;
                match self.variable(name, &node.span) {
                    Some((slot, VarType::Flag)) => Cond::Flag(slot),
                    Some((slot, VarType::Fact)) => Cond::Known(slot),
                    _ => Cond::Const(false),
                }
            }
            Ast::Call(name, path) if name != "visits" => {
                match self.call_target(name, path, &node.span) {
                    Some(i) if name == "wrote" => Cond::Wrote(i),
                    Some(i) => Cond::Seen(i),
                    None => Cond::Const(false),
                }
            }
            Ast::Not(inner) => Cond::Not(Box::new(self.cond(inner))),
            Ast::Binary(Rule::and, a, b) => {
                Cond::And(Box::new(self.cond(a)), Box::new(self.cond(b)))
            }
            Ast::Binary(Rule::or, a, b) => Cond::Or(Box::new(self.cond(a)), Box::new(self.cond(b))),
            Ast::Binary(
                rule @ (Rule::eq | Rule::ne | Rule::lt | Rule::le | Rule::gt | Rule::ge),
                a,
                b,
            ) => {
                let op = match rule {
                    Rule::eq => CmpOp::Eq,
                    Rule::ne => CmpOp::Ne,
                    Rule::lt => CmpOp::Lt,
                    Rule::le => CmpOp::Le,
                    Rule::gt => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                let (ka, kb) = (self.kind(a), self.kind(b));
                match (ka, kb) {
                    (None, _) | (_, None) => {
                        // Report the unknown names; the comparison itself cannot be typed.
                        self.any(a);
                        self.any(b);
                        Cond::Const(false)
                    }
                    (Some(Kind::Num), Some(Kind::Num)) => {
                        Cond::CmpNum(op, self.num(a), self.num(b))
                    }
                    (Some(k @ (Kind::Text | Kind::Bool)), Some(k2)) if k == k2 => {
                        if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                            self.error(
                                node.span.clone(),
                                "E005",
                                format!(
                                    "{} can only be compared with `==` or `!=`",
                                    self.describe(a)
                                ),
                                None,
                            );
                            return Cond::Const(false);
                        }
                        if k == Kind::Text {
                            Cond::CmpText(op, Box::new((self.txt(a), self.txt(b))))
                        } else {
                            Cond::CmpFlag(op, Box::new(self.cond(a)), Box::new(self.cond(b)))
                        }
                    }
                    (Some(_), Some(_)) => {
                        let message = format!(
                            "cannot compare {} with {}",
                            self.describe(a),
                            self.describe(b)
                        );
                        self.error(
                            node.span.clone(),
                            "E005",
                            message,
                            Some("compare numbers with numbers, text with text (text in double quotes)".into()),
                        );
                        Cond::Const(false)
                    }
                }
            }
            _ => {
                if let Some(kind) = self.kind(node) {
                    self.mismatch(node, "true or false", kind);
                } else {
                    self.any(node);
                }
                Cond::Const(false)
            }
        }
    }

    fn mismatch(&mut self, node: &Node, wanted: &str, got: Kind) {
        let got = match got {
            Kind::Num => "a number",
            Kind::Text => "text",
            Kind::Bool => "true or false",
        };
        let hint = match (&self.target, got) {
            // In an effect, say what the variable takes.
            (Some((name, ty)), _) => Some(match ty {
                VarType::Number => {
                    format!("`{name}` is a number: write `{name} = 3`, or `{name} += 1`")
                }
                VarType::Flag => format!(
                    "`{name}` is true or false: write `{name} = true`, or a condition such as `{name} = trust >= 3`"
                ),
                VarType::Text => format!("`{name}` is text: write `{name} = \"words\"`"),
                VarType::Fact => format!("`{name}` is a fact: write `remember {name} = \"words\"`"),
            }),
            (None, "a number") => Some("compare it, as in `trust >= 3`".to_owned()),
            (None, "text") => Some("compare it, as in `os_name == \"Samantha\"`".to_owned()),
            (None, _) => None,
        };
        self.error(
            node.span.clone(),
            "E005",
            format!("expected {wanted} here, but this is {got}"),
            hint,
        );
    }

    /// Type-checks a node of whatever kind it is, for its errors only.
    fn any(&mut self, node: &Node) {
        match self.kind(node) {
            Some(Kind::Num) => {
                self.num(node);
            }
            Some(Kind::Text) => {
                self.txt(node);
            }
            Some(Kind::Bool) => {
                self.cond(node);
            }
            None => {
                if let Ast::Var(name) = &node.ast {
                    self.variable(name, &node.span);
                }
            }
        }
    }

    fn num(&mut self, node: &Node) -> Num {
        match &node.ast {
            Ast::Number(n) => Num::Const(*n),
            Ast::Var(name) if name == "chapter" && self.scope.variable(name).is_none() => {
                *self.specificity += 1;
                Num::Chapter
            }
            Ast::Var(name) => {
                *self.specificity += 1;
                match self.variable(name, &node.span) {
                    Some((slot, VarType::Number)) => Num::Var(slot),
                    Some((_, ty)) => {
                        self.error(
                            node.span.clone(),
                            "E005",
                            format!("`{name}` is {}, but a number is needed here", ty.word()),
                            None,
                        );
                        Num::Const(0)
                    }
                    None => Num::Const(0),
                }
            }
            Ast::Call(name, path) if name == "visits" => {
                match self.call_target(name, path, &node.span) {
                    Some(i) => Num::Visits(i),
                    None => Num::Const(0),
                }
            }
            Ast::Neg(inner) => Num::Neg(Box::new(self.num(inner))),
            Ast::Binary(rule @ (Rule::add | Rule::sub | Rule::mul), a, b) => {
                let ab = Box::new((self.num(a), self.num(b)));
                match rule {
                    Rule::add => Num::Add(ab),
                    Rule::sub => Num::Sub(ab),
                    _ => Num::Mul(ab),
                }
            }
            _ => {
                match self.kind(node) {
                    Some(kind) => self.mismatch(node, "a number", kind),
                    None => self.any(node),
                }
                Num::Const(0)
            }
        }
    }

    fn txt(&mut self, node: &Node) -> Txt {
        match &node.ast {
            Ast::Text(t) => Txt::Const(t.clone()),
            Ast::Var(name) => {
                *self.specificity += 1;
                match self.variable(name, &node.span) {
                    Some((slot, VarType::Text | VarType::Fact)) => Txt::Var(slot),
                    Some((_, ty)) => {
                        self.error(
                            node.span.clone(),
                            "E005",
                            format!("`{name}` is {}, but text is needed here", ty.word()),
                            Some("text values go in double quotes: \"like this\"".into()),
                        );
                        Txt::Const(String::new())
                    }
                    None => Txt::Const(String::new()),
                }
            }
            _ => {
                match self.kind(node) {
                    Some(kind) => self.mismatch(node, "text", kind),
                    None => self.any(node),
                }
                Txt::Const(String::new())
            }
        }
    }
}

/// Every slot a compiled condition reads, without duplicates.
pub fn slots_read(cond: &Cond) -> Vec<usize> {
    let mut out = Vec::new();
    cond.reads(&mut out);
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether a number expression reads progress (visits or chapter); used by validation.
pub fn num_reads_progress(n: &Num) -> bool {
    n.reads_progress()
}
