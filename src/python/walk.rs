//! The walk over a parsed module that fills a [`PyFile`]: imports with their scope,
//! top-level include calls, `__all__`, functions, classes and assignments.
//!
//! Only statements are visited (never deep into expressions), so even a hostile file
//! with deeply nested expressions cannot exhaust the stack here.

use ruff_python_ast::{ElifElseClause, ExceptHandler, Expr, Stmt};
use ruff_text_size::Ranged;

use super::LineIndex;
use super::{AllList, Arg, Class, Function, Import, Include, PyFile, RouterDef, Scope};

pub(super) struct Walker<'a> {
    pub(super) index: &'a LineIndex,
    pub(super) package: &'a str,
    pub(super) file: PyFile,
}

pub(super) fn name_of(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(n) => Some(n.id.as_str()),
        _ => None,
    }
}

pub(super) fn string_literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        _ => None,
    }
}

fn string_items(expr: &Expr) -> Option<&[Expr]> {
    match expr {
        Expr::List(l) => Some(&l.elts),
        Expr::Tuple(t) => Some(&t.elts),
        _ => None,
    }
}

fn is_type_checking(test: &Expr) -> bool {
    match test {
        Expr::Name(n) => n.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(a) => a.attr.as_str() == "TYPE_CHECKING",
        _ => false,
    }
}

impl Walker<'_> {
    fn line(&self, node: &impl Ranged) -> usize {
        self.index.line(node.start().to_u32())
    }

    fn end_line(&self, node: &impl Ranged) -> usize {
        self.index.line(node.end().to_u32().saturating_sub(1))
    }

    pub(super) fn top_level(&mut self, suite: &[Stmt]) {
        for (position, stmt) in suite.iter().enumerate() {
            let start = self.line(stmt);
            self.file.top_level_starts.push(start);
            match stmt {
                Stmt::Expr(e) if position == 0 && string_literal(&e.value).is_some() => {
                    self.file.docstring_end = Some(self.end_line(stmt));
                }
                Stmt::Expr(e) => self.include_call(&e.value, stmt),
                Stmt::Import(_) | Stmt::ImportFrom(_) => {
                    self.import(stmt, &Scope::TopLevel);
                    self.file.last_top_import_end = Some(self.end_line(stmt));
                }
                Stmt::Assign(a) => {
                    for target in &a.targets {
                        self.assignment(target, Some(&a.value), stmt, false);
                    }
                }
                Stmt::AnnAssign(a) => self.assignment(&a.target, a.value.as_deref(), stmt, false),
                Stmt::AugAssign(a) => self.assignment(&a.target, Some(&a.value), stmt, true),
                Stmt::FunctionDef(f) => {
                    self.function(f.name.as_str(), &f.body, stmt);
                }
                Stmt::ClassDef(c) => {
                    let fields = c
                        .body
                        .iter()
                        .filter_map(|s| match s {
                            Stmt::AnnAssign(a) => name_of(&a.target).map(|n| (n, s)),
                            Stmt::Assign(a) => a.targets.first().and_then(name_of).map(|n| (n, s)),
                            _ => None,
                        })
                        .map(|(n, s)| (n.to_string(), self.line(s)))
                        .collect();
                    self.file.classes.push(Class {
                        name: c.name.as_str().to_string(),
                        line: self.line(stmt),
                        end_line: self.end_line(stmt),
                        fields,
                    });
                    self.nested(&c.body, &Scope::TopLevel);
                }
                other => self.nested(std::slice::from_ref(other), &Scope::TopLevel),
            }
        }
    }

    fn function(&mut self, name: &str, body: &[Stmt], stmt: &Stmt) {
        self.file.functions.push(Function {
            name: name.to_string(),
            line: self.line(stmt),
            end_line: self.end_line(stmt),
        });
        self.nested(body, &Scope::Function(name.to_string()));
    }

    /// Collects imports in nested blocks, keeping the scope they run in.
    fn nested(&mut self, stmts: &[Stmt], scope: &Scope) {
        for stmt in stmts {
            match stmt {
                Stmt::Import(_) | Stmt::ImportFrom(_) => self.import(stmt, scope),
                Stmt::FunctionDef(f) => {
                    let inner = self.function_scope(scope, f.name.as_str());
                    self.nested(&f.body, &inner);
                }
                Stmt::ClassDef(c) => self.nested(&c.body, scope),
                Stmt::If(s) => {
                    let body_scope = if is_type_checking(&s.test) {
                        Scope::TypeChecking
                    } else {
                        scope.clone()
                    };
                    self.nested(&s.body, &body_scope);
                    for ElifElseClause { test, body, .. } in &s.elif_else_clauses {
                        let clause_scope = if test.as_ref().is_some_and(is_type_checking) {
                            Scope::TypeChecking
                        } else {
                            scope.clone()
                        };
                        self.nested(body, &clause_scope);
                    }
                }
                Stmt::Try(s) => {
                    self.nested(&s.body, scope);
                    for ExceptHandler::ExceptHandler(h) in &s.handlers {
                        self.nested(&h.body, scope);
                    }
                    self.nested(&s.orelse, scope);
                    self.nested(&s.finalbody, scope);
                }
                Stmt::With(s) => self.nested(&s.body, scope),
                Stmt::For(s) => {
                    self.nested(&s.body, scope);
                    self.nested(&s.orelse, scope);
                }
                Stmt::While(s) => {
                    self.nested(&s.body, scope);
                    self.nested(&s.orelse, scope);
                }
                Stmt::Match(s) => {
                    for case in &s.cases {
                        self.nested(&case.body, scope);
                    }
                }
                _ => {}
            }
        }
    }

    fn function_scope(&self, outer: &Scope, name: &str) -> Scope {
        match outer {
            Scope::TopLevel => Scope::Function(name.to_string()),
            other => other.clone(),
        }
    }

    fn import(&mut self, stmt: &Stmt, scope: &Scope) {
        let (line, end_line) = (self.line(stmt), self.end_line(stmt));
        match stmt {
            Stmt::Import(i) => {
                for alias in &i.names {
                    let module = alias.name.as_str().to_string();
                    let bound = match &alias.asname {
                        Some(a) => a.as_str().to_string(),
                        None => module.split('.').next().unwrap_or_default().to_string(),
                    };
                    self.file.imports.push(Import {
                        module,
                        name: None,
                        bound,
                        line,
                        end_line,
                        scope: scope.clone(),
                    });
                }
            }
            Stmt::ImportFrom(i) => {
                let level = usize::try_from(i.level).unwrap_or(usize::MAX);
                let relative = i.module.as_ref().map(|m| m.as_str()).unwrap_or_default();
                let Some(module) = resolve(self.package, level, relative) else {
                    return;
                };
                for alias in &i.names {
                    let name = alias.name.as_str().to_string();
                    let bound = alias
                        .asname
                        .as_ref()
                        .map_or_else(|| name.clone(), |a| a.as_str().to_string());
                    self.file.imports.push(Import {
                        module: module.clone(),
                        name: Some(name),
                        bound,
                        line,
                        end_line,
                        scope: scope.clone(),
                    });
                }
            }
            _ => {}
        }
    }

    fn assignment(&mut self, target: &Expr, value: Option<&Expr>, stmt: &Stmt, augmented: bool) {
        let Some(name) = name_of(target) else {
            return;
        };
        let (line, end) = (self.line(stmt), self.end_line(stmt));
        self.file.assigned.push((name.to_string(), line, end));
        if let Some(Expr::Call(call)) = value {
            let is_api_router = match &*call.func {
                Expr::Name(n) => n.id.as_str() == "APIRouter",
                Expr::Attribute(a) => a.attr.as_str() == "APIRouter",
                _ => false,
            };
            if is_api_router {
                let (prefix, tags) = prefix_and_tags(&call.arguments.keywords);
                self.file.routers.push(RouterDef {
                    name: name.to_string(),
                    prefix,
                    tags,
                    line,
                });
            }
        }
        if name != "__all__" {
            return;
        }
        let Some(value) = value else { return };
        let Some(elts) = string_items(value) else {
            return;
        };
        let items: Vec<(String, usize)> = elts
            .iter()
            .filter_map(|e| string_literal(e).map(|s| (s, self.line(e))))
            .collect();
        let (start_line, end_line) = (self.line(value), self.end_line(value));
        match (&mut self.file.all, augmented) {
            (Some(all), true) => {
                all.items.extend(items);
                all.start_line = start_line;
                all.end_line = end_line;
            }
            (slot, _) => {
                *slot = Some(AllList {
                    items,
                    start_line,
                    end_line,
                });
            }
        }
    }

    fn include_call(&mut self, expr: &Expr, stmt: &Stmt) {
        let Expr::Call(call) = expr else { return };
        let Expr::Attribute(attr) = &*call.func else {
            return;
        };
        if attr.attr.as_str() != "include_router" {
            return;
        }
        let receiver = match &*attr.value {
            Expr::Name(n) => n.id.as_str().to_string(),
            _ => return,
        };
        let router = call.arguments.args.first().and_then(|arg| match arg {
            Expr::Name(n) => Some(n.id.as_str().to_string()),
            Expr::Attribute(a) => {
                name_of(&a.value).map(|base| format!("{base}.{}", a.attr.as_str()))
            }
            _ => None,
        });
        let (prefix, tags) = prefix_and_tags(&call.arguments.keywords);
        self.file.includes.push(Include {
            receiver,
            router,
            prefix,
            tags,
            line: self.line(stmt),
            end_line: self.end_line(stmt),
        });
    }
}

/// The `prefix=` and `tags=` keyword arguments of an `include_router` or `APIRouter` call.
fn prefix_and_tags(keywords: &[ruff_python_ast::Keyword]) -> (Arg<String>, Arg<Vec<String>>) {
    let mut prefix = Arg::Absent;
    let mut tags = Arg::Absent;
    for keyword in keywords {
        match keyword.arg.as_ref().map(|a| a.as_str()) {
            Some("prefix") => {
                prefix = string_literal(&keyword.value).map_or(Arg::Other, Arg::Literal);
            }
            Some("tags") => {
                tags = string_items(&keyword.value)
                    .and_then(|elts| elts.iter().map(string_literal).collect())
                    .map_or(Arg::Other, Arg::Literal);
            }
            _ => {}
        }
    }
    (prefix, tags)
}

/// Resolves `from <dots><module> import ...` against the importing file's package.
pub(super) fn resolve(package: &str, level: usize, module: &str) -> Option<String> {
    if level == 0 {
        return Some(module.to_string());
    }
    let parts: Vec<&str> = package.split('.').filter(|p| !p.is_empty()).collect();
    let keep = parts.len().checked_sub(level - 1)?;
    let mut base = parts[..keep].join(".");
    if !module.is_empty() {
        if !base.is_empty() {
            base.push('.');
        }
        base.push_str(module);
    }
    (!base.is_empty()).then_some(base)
}
