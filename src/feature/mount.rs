//! Router wiring, defined once.
//!
//! A feature with HTTP routes (the starter `status` module, auth, every module with a
//! router) is mounted in `api/router.py` by two lines: an import of its router under an
//! alias and an `api_router.include_router(...)` call. [`RouterMount`] writes those lines
//! for `add`, finds them again in a parsed file by meaning (whatever alias, quoting or
//! line breaks the file uses) for `check` and `--fix`, and knows their line ranges for
//! `remove`.

use crate::markers::{self, Marker};
use crate::python::{Arg, Include, PyFile};

/// How one feature's router is mounted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RouterMount {
    /// The package whose `router` module holds the router (`shop.modules.orders`).
    pub package: String,
    /// The name the router is imported as (`orders_router`).
    pub alias: String,
    /// The mount point (`/orders`), or `""` for a router mounted at the API root.
    pub prefix: String,
    /// The OpenAPI tag (`orders`).
    pub tag: String,
}

/// What is wrong with an include that exists. Tags are documentation (OpenAPI
/// grouping): any tags are accepted, only the mount point counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mismatch {
    /// The effective prefix (the include's `prefix=` plus the router's own
    /// `APIRouter(prefix=...)`), or `None` when either is computed at run time.
    Prefix(Option<String>),
}

/// The mount as found in a parsed `api/router.py`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found<'f> {
    /// The name the router is bound to by a top-level import, if it is imported.
    pub binding: Option<String>,
    /// The first include of that name (or of the canonical alias when not imported).
    pub include: Option<&'f Include>,
}

impl RouterMount {
    /// A module's router: `/<name>`, tag `<name>`.
    pub(crate) fn module(pkg: &str, name: &str) -> RouterMount {
        RouterMount {
            package: super::module::package(pkg, name),
            alias: format!("{name}_router"),
            prefix: format!("/{name}"),
            tag: name.to_string(),
        }
    }

    /// The starter `status` module: mounted at the API root.
    pub(crate) fn status(pkg: &str) -> RouterMount {
        RouterMount {
            prefix: String::new(),
            ..RouterMount::module(pkg, "status")
        }
    }

    /// The auth router added by `add auth`.
    pub(crate) fn auth(pkg: &str) -> RouterMount {
        RouterMount {
            package: format!("{pkg}.auth"),
            alias: "auth_router".to_string(),
            prefix: "/auth".to_string(),
            tag: "auth".to_string(),
        }
    }

    /// `from <package>.router import router as <alias>`.
    pub(crate) fn import_line(&self) -> String {
        format!(
            "from {}.router import router as {}",
            self.package, self.alias
        )
    }

    /// `<receiver>.include_router(<router>, prefix="...", tags=["..."])` for the router
    /// bound to `router` (the alias when it is not imported yet).
    pub(crate) fn include_line(&self, receiver: &str, router: Option<&str>) -> String {
        let router = router.unwrap_or(&self.alias);
        let prefix = if self.prefix.is_empty() {
            String::new()
        } else {
            format!(", prefix=\"{}\"", self.prefix)
        };
        format!(
            "{receiver}.include_router({router}{prefix}, tags=[\"{}\"])",
            self.tag
        )
    }

    /// The canonical include, on `api_router`.
    pub(crate) fn canonical_include(&self, router: Option<&str>) -> String {
        self.include_line("api_router", router)
    }

    /// Finds the import and the include of this router in `file`, by meaning.
    pub(crate) fn find<'f>(&self, file: &'f PyFile) -> Found<'f> {
        let binding = file.router_binding(&self.package).map(str::to_string);
        let name = binding.as_deref().unwrap_or(&self.alias);
        // `from <pkg>.modules.x import router as x_router` binds the router *module*;
        // its include is then `include_router(x_router.router, ...)`.
        let include = file
            .include_of(name)
            .or_else(|| file.include_of(&format!("{name}.router")));
        Found { include, binding }
    }

    /// How an existing include differs from this mount (empty when it matches), given
    /// the prefix the router sets on itself (`APIRouter(prefix=...)`).
    pub(crate) fn mismatches(&self, include: &Include, own_prefix: &Arg<String>) -> Vec<Mismatch> {
        let part = |arg: &Arg<String>| match arg {
            Arg::Absent => Some(String::new()),
            Arg::Literal(p) => Some(normalise_prefix(p)),
            Arg::Other => None,
        };
        let effective = part(&include.prefix)
            .zip(part(own_prefix))
            .map(|(outer, inner)| normalise_prefix(&format!("{outer}{inner}")));
        if effective.as_deref() == Some(self.prefix.as_str()) {
            Vec::new()
        } else {
            vec![Mismatch::Prefix(effective)]
        }
    }

    /// Words a mismatch: `prefix "/x" instead of "/orders"`, `no prefix instead of …`.
    pub(crate) fn describe(&self, mismatch: &Mismatch) -> String {
        let want = if self.prefix.is_empty() {
            "no prefix".to_string()
        } else {
            format!("\"{}\"", self.prefix)
        };
        match mismatch {
            Mismatch::Prefix(Some(p)) if p.is_empty() => format!("no prefix instead of {want}"),
            Mismatch::Prefix(Some(p)) => format!("prefix \"{p}\" instead of {want}"),
            Mismatch::Prefix(None) => format!("a computed prefix instead of {want}"),
        }
    }

    /// The 1-based, inclusive line ranges of this mount's import and include in `file`
    /// (what `remove` deletes), in file order.
    pub(crate) fn line_ranges(&self, file: &PyFile) -> Vec<(usize, usize)> {
        let found = self.find(file);
        let mut ranges = Vec::new();
        if let Some(binding) = &found.binding {
            ranges.extend(
                file.imports
                    .iter()
                    .filter(|i| {
                        &i.bound == binding
                            && i.name.as_deref() == Some("router")
                            && (i.module == format!("{}.router", self.package)
                                || i.module == self.package)
                    })
                    .map(|i| (i.line, i.end_line)),
            );
        }
        let name = found.binding.as_deref().unwrap_or(&self.alias);
        let attribute = format!("{name}.router");
        ranges.extend(
            file.includes
                .iter()
                .filter(|i| {
                    i.router
                        .as_deref()
                        .is_some_and(|r| r == name || r == attribute)
                })
                .map(|i| (i.line, i.end_line)),
        );
        ranges.sort_unstable();
        ranges.dedup();
        ranges
    }

    /// Splices the import and the include above their markers in `text`; `None` when
    /// a marker is missing.
    pub(crate) fn splice(&self, text: &str) -> Option<String> {
        let with_import = markers::insert_above(text, &IMPORTS, &self.import_line(), true)?;
        markers::insert_above(&with_import, &INCLUDES, &self.formatted_include(), false)
    }

    /// The canonical include as ruff format lays it out: on one line when it fits in
    /// the line length, else its arguments on one indented line, else one argument per
    /// line with a trailing comma.
    fn formatted_include(&self) -> String {
        let line = self.canonical_include(None);
        if line.chars().count() <= markers::LINE_LENGTH {
            return line;
        }
        let mut args = vec![self.alias.clone()];
        if !self.prefix.is_empty() {
            args.push(format!("prefix=\"{}\"", self.prefix));
        }
        args.push(format!("tags=[\"{}\"]", self.tag));
        let hugged = args.join(", ");
        if 4 + hugged.chars().count() <= markers::LINE_LENGTH {
            format!("api_router.include_router(\n    {hugged}\n)")
        } else {
            let lines: Vec<String> = args.iter().map(|a| format!("    {a},\n")).collect();
            format!("api_router.include_router(\n{})", lines.concat())
        }
    }
}

const IMPORTS: Marker = markers::ROUTER_IMPORTS;
const INCLUDES: Marker = markers::ROUTER_INCLUDES;

/// `/x/` and `/x` are the same mount point; `/` and `""` are the API root.
pub(crate) fn normalise_prefix(prefix: &str) -> String {
    prefix.trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python;

    const ROUTER: &str = "from fastapi import APIRouter\n\nfrom shop.modules.status.router import router as status_router\nfrom shop.modules.orders.router import (\n    router as orders,\n)\n\n# polepos:router-imports\n\napi_router = APIRouter()\napi_router.include_router(status_router, tags=[\"status\"])\napi_router.include_router(\n    orders, prefix=\"/orders/\", tags=[\"orders\"]\n)\n# polepos:router-includes\n";

    #[test]
    fn finds_mounts_by_meaning_and_knows_their_lines() {
        let file = python::parse(ROUTER, "shop.api").unwrap();
        let orders = RouterMount::module("shop", "orders");
        let found = orders.find(&file);
        assert_eq!(found.binding.as_deref(), Some("orders"));
        let include = found.include.unwrap();
        assert!(
            orders.mismatches(include, &Arg::Absent).is_empty(),
            "trailing slash is the same mount"
        );
        assert_eq!(orders.line_ranges(&file), vec![(4, 6), (12, 14)]);
        let status = RouterMount::status("shop");
        assert!(
            status
                .mismatches(status.find(&file).include.unwrap(), &Arg::Absent)
                .is_empty()
        );
        assert_eq!(status.line_ranges(&file), vec![(3, 3), (11, 11)]);
        let auth = RouterMount::auth("shop");
        assert_eq!(
            auth.find(&file),
            Found {
                binding: None,
                include: None
            }
        );
        assert!(auth.line_ranges(&file).is_empty());
    }

    #[test]
    fn describes_every_mismatch() {
        let file = python::parse(
            "from shop.modules.a.router import router as a_router\napi_router.include_router(a_router, prefix=\"/b\", tags=[\"x\"])\n",
            "shop.api",
        )
        .unwrap();
        let mount = RouterMount::module("shop", "a");
        let found = mount.find(&file).include.unwrap();
        let words: Vec<String> = mount
            .mismatches(found, &Arg::Absent)
            .iter()
            .map(|m| mount.describe(m))
            .collect();
        assert_eq!(
            words,
            ["prefix \"/b\" instead of \"/a\""],
            "tags are documentation"
        );
        assert_eq!(
            RouterMount::status("shop").describe(&Mismatch::Prefix(Some("/s".into()))),
            "prefix \"/s\" instead of no prefix"
        );
        // The router's own prefix counts: include "/b" + APIRouter(prefix="/x") is "/b/x".
        assert_eq!(
            mount.mismatches(found, &Arg::Literal("/x".into())),
            [Mismatch::Prefix(Some("/b/x".into()))]
        );
        let split = python::parse(
            "from shop.modules.a import router as a_router\napi_router.include_router(a_router.router, tags=[\"a\"])\n",
            "shop.api",
        )
        .unwrap();
        let include = mount
            .find(&split)
            .include
            .expect("module-style include found");
        assert!(
            mount
                .mismatches(include, &Arg::Literal("/a".into()))
                .is_empty()
        );
    }

    #[test]
    fn long_includes_wrap_like_ruff_format() {
        let fits = RouterMount::module("shop", "orders");
        assert_eq!(fits.formatted_include(), fits.canonical_include(None));
        let hugged = RouterMount::module("shop", "customer_orders");
        assert_eq!(
            hugged.formatted_include(),
            "api_router.include_router(\n    customer_orders_router, prefix=\"/customer_orders\", tags=[\"customer_orders\"]\n)"
        );
        let name = "a".repeat(30);
        let exploded = RouterMount::module("shop", &name).formatted_include();
        assert_eq!(
            exploded,
            format!(
                "api_router.include_router(\n    {name}_router,\n    prefix=\"/{name}\",\n    tags=[\"{name}\"],\n)"
            )
        );
        let spliced = RouterMount::module("shop", &name).splice(ROUTER).unwrap();
        let file = python::parse(&spliced, "shop.api").unwrap();
        let found = RouterMount::module("shop", &name).find(&file);
        assert!(found.include.is_some_and(|i| {
            RouterMount::module("shop", &name)
                .mismatches(i, &Arg::Absent)
                .is_empty()
        }));
    }

    #[test]
    fn prefixes_normalise() {
        assert_eq!(normalise_prefix("/a/"), "/a");
        assert_eq!(normalise_prefix("/"), "");
    }

    #[test]
    fn writes_the_canonical_lines() {
        let mount = RouterMount::module("shop", "orders");
        assert_eq!(
            mount.import_line(),
            "from shop.modules.orders.router import router as orders_router"
        );
        assert_eq!(
            mount.canonical_include(None),
            "api_router.include_router(orders_router, prefix=\"/orders\", tags=[\"orders\"])"
        );
        assert_eq!(
            RouterMount::status("shop").canonical_include(Some("s")),
            "api_router.include_router(s, tags=[\"status\"])"
        );
        let spliced = RouterMount::auth("shop").splice(ROUTER).unwrap();
        let file = python::parse(&spliced, "shop.api").unwrap();
        let found = RouterMount::auth("shop").find(&file);
        assert_eq!(found.binding.as_deref(), Some("auth_router"));
        assert!(found.include.is_some());
    }
}
