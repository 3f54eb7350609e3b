//! Reading a project's foundation for the weaknesses `check` warns about: a token
//! decoder that does not require `exp`, and `APP_DEBUG` on by default.

use std::collections::HashMap;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::{LineIndex, parse_guarded};

/// How deep expressions are searched for the `jwt.decode(...)` call.
const MAX_EXPRESSION_DEPTH: usize = 12;

/// Parses `text` and runs `f` on its statements; `None` when it does not parse.
fn with_suite<T>(text: &str, f: impl FnOnce(&[Stmt], &LineIndex) -> Option<T>) -> Option<T> {
    let parsed = parse_guarded(text).ok()?;
    if parsed.errors().is_empty() {
        f(&parsed.syntax().body, &LineIndex::new(text))
    } else {
        None
    }
}

/// The line of a `jwt.decode(...)` call inside `decode_access_token` that lets tokens
/// without `exp` through, unless another decode call there requires it.
pub(crate) fn decode_without_required_exp(text: &str) -> Option<usize> {
    with_suite(text, decode_in_suite)
}

/// The line of `app_debug` in `class Settings` when its default is plainly `True`.
pub(crate) fn debug_on_by_default(text: &str) -> Option<usize> {
    with_suite(text, debug_in_suite)
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
            constants.insert(name.id.as_str().to_string(), items);
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
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        _ => None,
    }
}

fn is_bool(expr: &Expr, wanted: bool) -> bool {
    matches!(expr, Expr::BooleanLiteral(b) if b.value == wanted)
}

/// The claims a `require` value names, when it can be read: a literal list, tuple or
/// set, a module-level constant, or `list(...)`/`tuple(...)`/`[*...]` of those.
fn required_claims(expr: &Expr, constants: &HashMap<String, Vec<String>>) -> Option<Vec<String>> {
    match expr {
        Expr::Name(n) => constants.get(n.id.as_str()).cloned(),
        Expr::Call(call)
            if call.arguments.args.len() == 1 && call.arguments.keywords.is_empty() =>
        {
            match &*call.func {
                Expr::Name(f) if matches!(f.id.as_str(), "list" | "tuple" | "set") => {
                    required_claims(&call.arguments.args[0], constants)
                }
                _ => None,
            }
        }
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
        .arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().map(|a| a.as_str()) == Some("options"))
    else {
        // No options: PyJWT checks `exp` only when the token has one.
        return ExpPolicy::NotRequired;
    };
    let Expr::Dict(dict) = &options.value else {
        return ExpPolicy::Unknown;
    };
    let mut required = false;
    for item in &dict.items {
        let value = &item.value;
        let Some(key) = item.key.as_ref().and_then(string_literal) else {
            // `**other`: it may hold anything.
            return ExpPolicy::Unknown;
        };
        match key.as_str() {
            "require" => match required_claims(value, constants) {
                Some(claims) => required = claims.iter().any(|c| c == "exp"),
                None => return ExpPolicy::Unknown,
            },
            "verify_exp" | "verify_signature" if is_bool(value, false) => {
                return ExpPolicy::NotRequired;
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

fn decode_in_suite(suite: &[Stmt], index: &LineIndex) -> Option<usize> {
    let constants = string_constants(suite);
    let body = suite.iter().find_map(|stmt| match stmt {
        Stmt::FunctionDef(f) if f.name.as_str() == "decode_access_token" => Some(&f.body),
        _ => None,
    })?;
    let mut calls = Vec::new();
    collect_statements(body, &mut calls);
    let mut weak = None;
    for call in calls {
        match exp_policy(call, &constants) {
            ExpPolicy::Required | ExpPolicy::Unknown => return None,
            ExpPolicy::NotRequired => {
                weak.get_or_insert(index.line(call.start().to_u32()));
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
                for clause in &s.elif_else_clauses {
                    collect_statements(&clause.body, calls);
                }
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
    for arg in &call.arguments.args {
        let arg = match arg {
            Expr::Starred(s) => &*s.value,
            other => other,
        };
        collect_calls(arg, depth + 1, calls);
    }
    for keyword in &call.arguments.keywords {
        collect_calls(&keyword.value, depth + 1, calls);
    }
}

fn debug_in_suite(suite: &[Stmt], index: &LineIndex) -> Option<usize> {
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
    let is_true = |e: &Expr| is_bool(e, true);
    match value {
        Expr::Call(call) => {
            let is_field = match &*call.func {
                Expr::Name(n) => n.id.as_str() == "Field",
                Expr::Attribute(a) => a.attr.as_str() == "Field",
                _ => false,
            };
            is_field
                && (call.arguments.args.first().is_some_and(is_true)
                    || call.arguments.keywords.iter().any(|k| {
                        k.arg.as_ref().map(|a| a.as_str()) == Some("default") && is_true(&k.value)
                    }))
        }
        other => is_true(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_warning(text: &str) -> Option<usize> {
        decode_without_required_exp(text)
    }

    fn debug_warning(text: &str) -> Option<usize> {
        debug_on_by_default(text)
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
