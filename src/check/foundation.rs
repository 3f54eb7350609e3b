//! Weaknesses of the project's own foundation, reported as warnings (PPCHK070–071).
//!
//! Projects made by the older poleposition tool decode access tokens without requiring
//! `exp` and default `APP_DEBUG` to true (SPEC §4.7). Neither breaks the wiring, so both
//! are warnings: `check` still passes. The files are read with the real parser; a
//! warning is given only when the code says so plainly (a computed `options` argument
//! or default is given the benefit of the doubt), so a project polepos generated never
//! gets one.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use rustpython_parser::Parse;
use rustpython_parser::ast::{self, Constant, Expr, Ranged, Stmt};

use super::Issue;
use super::codes::Code;
use super::facts::Facts;
use super::source::{LineIndex, Source};

/// How deep expressions are searched for the `jwt.decode(...)` call.
const MAX_EXPRESSION_DEPTH: usize = 12;

pub fn check(facts: &Facts, issues: &mut Vec<Issue>) {
    let token_path = facts.pkg_path("auth/token.py");
    if let Some((suite, index)) = parse(facts, &token_path)
        && let Some(line) = decode_without_required_exp(&suite, &index)
    {
        issues.push(
            Issue::new(
                Code::TokenExpNotRequired,
                "`decode_access_token` accepts tokens without an `exp` claim (they never expire)",
            )
            .at(token_path, Some(line)),
        );
    }
    let settings_path = facts.pkg_path("settings.py");
    if let Some((suite, index)) = parse(facts, &settings_path)
        && let Some(line) = debug_on_by_default(&suite, &index)
    {
        issues.push(
            Issue::new(
                Code::DebugOnByDefault,
                "`app_debug` defaults to true: APP_DEBUG is on unless a deployment turns it off",
            )
            .at(settings_path, Some(line)),
        );
    }
}

fn parse(facts: &Facts, rel: &str) -> Option<(ast::Suite, LineIndex)> {
    let Source::Text(text) = Source::read(&facts.root.join(rel)) else {
        return None;
    };
    let parsed = catch_unwind(AssertUnwindSafe(|| ast::Suite::parse(&text, "<check>")));
    match parsed {
        // Syntax errors are reported elsewhere (or not at all for this file).
        Ok(Ok(suite)) => Some((suite, LineIndex::new(&text))),
        _ => None,
    }
}

/// Module-level `NAME = (...)` / `NAME = [...]` of string literals, for `options` lookups.
fn string_constants(suite: &[Stmt]) -> HashMap<String, Vec<String>> {
    let mut constants = HashMap::new();
    for stmt in suite {
        let (target, value) = match stmt {
            Stmt::Assign(a) if a.targets.len() == 1 => (&a.targets[0], Some(&*a.value)),
            Stmt::AnnAssign(a) => (&*a.target, a.value.as_deref()),
            _ => continue,
        };
        if let (Expr::Name(name), Some(value)) = (target, value)
            && let Some(items) = literal_strings(value)
        {
            constants.insert(name.id.to_string(), items);
        }
    }
    constants
}

fn literal_strings(expr: &Expr) -> Option<Vec<String>> {
    let items = match expr {
        Expr::List(l) => &l.elts,
        Expr::Tuple(t) => &t.elts,
        Expr::Set(s) => &s.elts,
        _ => return None,
    };
    items.iter().map(string_literal).collect()
}

fn string_literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Constant(c) => match &c.value {
            Constant::Str(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The claims a `require` value names, when it can be read: a literal list, tuple or
/// set, a module-level constant, or `list(...)`/`tuple(...)`/`[*...]` of those.
fn required_claims(expr: &Expr, constants: &HashMap<String, Vec<String>>) -> Option<Vec<String>> {
    match expr {
        Expr::Name(n) => constants.get(n.id.as_str()).cloned(),
        Expr::Call(call) if call.args.len() == 1 && call.keywords.is_empty() => match &*call.func {
            Expr::Name(f) if matches!(f.id.as_str(), "list" | "tuple" | "set") => {
                required_claims(&call.args[0], constants)
            }
            _ => None,
        },
        Expr::List(l) if l.elts.iter().any(|e| matches!(e, Expr::Starred(_))) => {
            let mut claims = Vec::new();
            for item in &l.elts {
                match item {
                    Expr::Starred(s) => claims.extend(required_claims(&s.value, constants)?),
                    other => claims.push(string_literal(other)?),
                }
            }
            Some(claims)
        }
        other => literal_strings(other),
    }
}

/// What a `jwt.decode(...)` call's `options` argument says about `exp`.
enum ExpPolicy {
    Required,
    NotRequired,
    Unknown,
}

fn exp_policy(call: &ast::ExprCall, constants: &HashMap<String, Vec<String>>) -> ExpPolicy {
    let Some(options) = call
        .keywords
        .iter()
        .find(|k| k.arg.as_deref() == Some("options"))
    else {
        // No options: PyJWT checks `exp` only when the token has one.
        return ExpPolicy::NotRequired;
    };
    let Expr::Dict(dict) = &options.value else {
        return ExpPolicy::Unknown;
    };
    let mut required = false;
    for (key, value) in dict.keys.iter().zip(&dict.values) {
        let Some(key) = key.as_ref().and_then(string_literal) else {
            // `**other`: it may hold anything.
            return ExpPolicy::Unknown;
        };
        match key.as_str() {
            "require" => match required_claims(value, constants) {
                Some(claims) => required = claims.iter().any(|c| c == "exp"),
                None => return ExpPolicy::Unknown,
            },
            "verify_exp" | "verify_signature" => {
                if let Expr::Constant(c) = value
                    && matches!(c.value, Constant::Bool(false))
                {
                    return ExpPolicy::NotRequired;
                }
            }
            _ => {}
        }
    }
    if required {
        ExpPolicy::Required
    } else {
        ExpPolicy::NotRequired
    }
}

/// The line of a `*.decode(...)` call inside `decode_access_token` that lets tokens
/// without `exp` through, unless another decode call there requires it.
fn decode_without_required_exp(suite: &[Stmt], index: &LineIndex) -> Option<usize> {
    let constants = string_constants(suite);
    let body = suite.iter().find_map(|stmt| match stmt {
        Stmt::FunctionDef(f) if f.name.as_str() == "decode_access_token" => Some(&f.body),
        Stmt::AsyncFunctionDef(f) if f.name.as_str() == "decode_access_token" => Some(&f.body),
        _ => None,
    })?;
    let mut calls = Vec::new();
    collect_statements(body, &mut calls);
    let mut weak = None;
    for call in calls {
        match exp_policy(call, &constants) {
            ExpPolicy::Required | ExpPolicy::Unknown => return None,
            ExpPolicy::NotRequired => {
                weak.get_or_insert(index.line(call.range.start().to_u32()));
            }
        }
    }
    weak
}

/// `*.decode(...)` calls in the statements (and nested blocks) of a function body.
fn collect_statements<'a>(stmts: &'a [Stmt], calls: &mut Vec<&'a ast::ExprCall>) {
    for stmt in stmts {
        match stmt {
            Stmt::Expr(e) => collect_calls(&e.value, 0, calls),
            Stmt::Return(r) => {
                if let Some(value) = &r.value {
                    collect_calls(value, 0, calls);
                }
            }
            Stmt::Assign(a) => collect_calls(&a.value, 0, calls),
            Stmt::AnnAssign(a) => {
                if let Some(value) = &a.value {
                    collect_calls(value, 0, calls);
                }
            }
            Stmt::If(s) => {
                collect_statements(&s.body, calls);
                collect_statements(&s.orelse, calls);
            }
            Stmt::With(s) => collect_statements(&s.body, calls),
            Stmt::Try(s) => {
                collect_statements(&s.body, calls);
                collect_statements(&s.orelse, calls);
                collect_statements(&s.finalbody, calls);
            }
            _ => {}
        }
    }
}

fn collect_calls<'a>(expr: &'a Expr, depth: usize, calls: &mut Vec<&'a ast::ExprCall>) {
    if depth > MAX_EXPRESSION_DEPTH {
        return;
    }
    let Expr::Call(call) = expr else {
        return;
    };
    if let Expr::Attribute(attr) = &*call.func
        && attr.attr.as_str() == "decode"
        && matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == "jwt")
    {
        calls.push(call);
        return;
    }
    for arg in &call.args {
        let arg = match arg {
            Expr::Starred(s) => &*s.value,
            other => other,
        };
        collect_calls(arg, depth + 1, calls);
    }
    for keyword in &call.keywords {
        collect_calls(&keyword.value, depth + 1, calls);
    }
}

/// The line of `app_debug` in `class Settings` when its default is plainly `True`.
fn debug_on_by_default(suite: &[Stmt], index: &LineIndex) -> Option<usize> {
    let body = suite.iter().find_map(|stmt| match stmt {
        Stmt::ClassDef(c) if c.name.as_str() == "Settings" => Some(&c.body),
        _ => None,
    })?;
    body.iter().find_map(|stmt| {
        let (target, value) = match stmt {
            Stmt::AnnAssign(a) => (&*a.target, a.value.as_deref()?),
            Stmt::Assign(a) if a.targets.len() == 1 => (&a.targets[0], &*a.value),
            _ => return None,
        };
        let Expr::Name(name) = target else {
            return None;
        };
        (name.id.as_str() == "app_debug" && default_is_true(value))
            .then(|| index.line(stmt.start().to_u32()))
    })
}

/// `True`, or `Field(True, ...)` / `Field(default=True, ...)`.
fn default_is_true(value: &Expr) -> bool {
    let is_true =
        |e: &Expr| matches!(e, Expr::Constant(c) if matches!(c.value, Constant::Bool(true)));
    match value {
        Expr::Call(call) => {
            let is_field = match &*call.func {
                Expr::Name(n) => n.id.as_str() == "Field",
                Expr::Attribute(a) => a.attr.as_str() == "Field",
                _ => false,
            };
            is_field
                && (call.args.first().is_some_and(is_true)
                    || call
                        .keywords
                        .iter()
                        .any(|k| k.arg.as_deref() == Some("default") && is_true(&k.value)))
        }
        other => is_true(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suite(text: &str) -> (ast::Suite, LineIndex) {
        (
            ast::Suite::parse(text, "<test>").unwrap(),
            LineIndex::new(text),
        )
    }

    fn decode_warning(text: &str) -> Option<usize> {
        let (suite, index) = suite(text);
        decode_without_required_exp(&suite, &index)
    }

    fn debug_warning(text: &str) -> Option<usize> {
        let (suite, index) = suite(text);
        debug_on_by_default(&suite, &index)
    }

    #[test]
    fn decoding_that_requires_exp_is_fine() {
        for options in [
            r#"{"require": ["exp", "iat", "sub"]}"#,
            r#"{"require": list(REQUIRED)}"#,
            r#"{"require": REQUIRED}"#,
            r#"{"require": [*REQUIRED, "iss"]}"#,
            "computed_options()",
        ] {
            let text = format!(
                "import jwt\nREQUIRED = (\"exp\", \"sub\")\ndef decode_access_token(token):\n    try:\n        claims = jwt.decode(token, 'k', algorithms=['HS256'], options={options})\n    except Exception:\n        raise\n    return claims\n"
            );
            assert_eq!(decode_warning(&text), None, "{options}");
        }
    }

    #[test]
    fn decoding_without_required_exp_is_reported_at_the_call() {
        for options in [
            "",
            r#", options={"require": ["sub"]}"#,
            r#", options={"require": ["exp"], "verify_exp": False}"#,
        ] {
            let text = format!(
                "import jwt\n\ndef decode_access_token(token):\n    return Payload(**jwt.decode(token, 'k', algorithms=['HS256']{options}))\n"
            );
            assert_eq!(decode_warning(&text), Some(4), "{options:?}");
        }
        assert_eq!(decode_warning("def other():\n    pass\n"), None);
    }

    #[test]
    fn debug_default() {
        let settings = |field: &str| format!("class Settings(BaseSettings):\n    {field}\n");
        assert_eq!(debug_warning(&settings("app_debug: bool = True")), Some(2));
        assert_eq!(
            debug_warning(&settings("app_debug: bool = Field(default=True)")),
            Some(2)
        );
        assert_eq!(debug_warning(&settings("app_debug: bool = False")), None);
        assert_eq!(debug_warning(&settings("app_debug: bool")), None);
        assert_eq!(debug_warning("class Other:\n    app_debug = True\n"), None);
    }
}
