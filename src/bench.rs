//! A generator of large projects for benchmarking `check` (and tests of its scaling).
//!
//! [`add_modules`] adds `n` standard-template modules to an existing project, with every
//! file, test, manifest entry and wiring line a real `add module` would produce, so
//! `polepos check` on it passes and does all of its work; [`bench_project`] does the same
//! on a fresh project. `scripts/gen_modules.py` runs [`add_modules`] for the benchmark
//! script through `examples/gen_modules.rs`.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::Context as _;

use crate::feature::{self, ProjectContext, RouterMount, Splice, plan};
use crate::manifest;
use crate::manifest::DbMode;
use crate::markers;
use crate::project::Project;

/// Package name of projects made by [`bench_project`].
pub const BENCH_PACKAGE: &str = "bench_app";

/// Writes a fresh SQLite project with `n_modules` standard modules at `root`, which must
/// not exist yet.
pub fn bench_project(root: &Path, n_modules: usize) -> anyhow::Result<()> {
    if root.exists() {
        anyhow::bail!("{} already exists", root.display());
    }
    let ctx = ProjectContext {
        name: "bench-app".to_string(),
        package: BENCH_PACKAGE.to_string(),
        db: DbMode::Sqlite,
        bytecode: true,
    };
    let recipe = feature::project::recipe(&ctx, &"0".repeat(64))?;
    plan::plan_new_project(root, &recipe).apply()?;
    fs::create_dir_all(root.join("migrations/versions"))?;
    add_modules(root, n_modules)
}

/// Adds `n_modules` standard modules (`mod_0001`, …) with all their wiring to the
/// existing project at `root` (e.g. one made by `polepos start`).
pub fn add_modules(root: &Path, n_modules: usize) -> anyhow::Result<()> {
    let project = Project::open(root)?;
    let pkg = project.package.as_str();
    let names: Vec<String> = (1..=n_modules).map(|i| format!("mod_{i:04}")).collect();
    let mut imports = String::new();
    let mut includes = String::new();
    let mut model_imports = String::new();
    let mut exports = String::new();
    let mut manifest_entries = String::new();
    for name in &names {
        let mount = RouterMount::module(pkg, name);
        let _ = writeln!(imports, "{}", mount.import_line());
        let _ = writeln!(includes, "{}", mount.canonical_include(None));
        let _ = writeln!(
            model_imports,
            "    {}",
            Splice::module_model_import(pkg, name)
                .model_line()
                .unwrap_or_default()
        );
        let _ = writeln!(exports, "    \"{name}\",");
        let _ = writeln!(manifest_entries, "{name} = \"standard\"");
        for (path, contents) in module_files(pkg, name) {
            write(&root.join(path), &contents)?;
        }
    }
    let edits: [(String, &[(&markers::Marker, &str)]); 3] = [
        (
            format!("src/{pkg}/api/router.py"),
            &[
                (&markers::ROUTER_IMPORTS, &imports),
                (&markers::ROUTER_INCLUDES, &includes),
            ],
        ),
        (
            format!("src/{pkg}/db/models.py"),
            &[(&markers::MODEL_IMPORTS, &model_imports)],
        ),
        (
            format!("src/{pkg}/modules/__init__.py"),
            &[(&markers::MODULE_EXPORTS, &exports)],
        ),
    ];
    for (path, blocks) in edits {
        let mut text =
            fs::read_to_string(root.join(&path)).with_context(|| format!("cannot read {path}"))?;
        for (marker, block) in blocks {
            text = above(&text, marker, block)
                .with_context(|| format!("{path} has no `{}` marker", marker.comment))?;
        }
        write(&root.join(&path), &text)?;
    }
    let manifest_path = root.join(manifest::FILE_NAME);
    let text = fs::read_to_string(&manifest_path).unwrap_or_default();
    let text = match text.find("[modules]\n") {
        Some(at) => {
            let at = at + "[modules]\n".len();
            format!("{}{manifest_entries}{}", &text[..at], &text[at..])
        }
        None => format!("{text}\n[modules]\n{manifest_entries}"),
    };
    write(&manifest_path, &text)
}

fn write(path: &Path, contents: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))
}

/// Inserts a block of lines directly above a marker; import blocks go above the blank
/// line that separates the imports from the marker, as `add` commands do.
fn above(text: &str, marker: &markers::Marker, block: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut index = markers::find(text, marker)?;
    if block.starts_with("from ") {
        while index > 0 && lines[index - 1].trim().is_empty() {
            index -= 1;
        }
    }
    let mut out = String::with_capacity(text.len() + block.len());
    for (i, line) in lines.iter().enumerate() {
        if i == index {
            out.push_str(block);
        }
        out.push_str(line);
    }
    Some(out)
}

/// The files of one standard-template module and its tests.
fn module_files(pkg: &str, name: &str) -> Vec<(String, String)> {
    let class: String = name
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    let dir = format!("src/{pkg}/modules/{name}");
    let file = |rel: &str, text: String| (format!("{dir}/{rel}"), text);
    vec![
        file("__init__.py", format!("\"\"\"The {name} module.\"\"\"\n")),
        file(
            "model.py",
            format!(
                "\"\"\"Database model of the {name} module.\"\"\"\n\nfrom sqlalchemy import String\nfrom sqlalchemy.orm import Mapped, mapped_column\n\nfrom {pkg}.db.base import Base\n\n\nclass {class}(Base):\n    \"\"\"One {name} record.\"\"\"\n\n    __tablename__ = \"{name}\"\n\n    id: Mapped[int] = mapped_column(primary_key=True)\n    name: Mapped[str] = mapped_column(String(200))\n"
            ),
        ),
        file(
            "repository.py",
            format!(
                "\"\"\"Persistence of {name} records.\"\"\"\n\nfrom sqlalchemy import select\nfrom sqlalchemy.orm import Session\n\nfrom {pkg}.modules.{name}.model import {class}\n\n\nclass {class}Repository:\n    def __init__(self, session: Session) -> None:\n        self.session = session\n\n    def list(self) -> list[{class}]:\n        return list(self.session.scalars(select({class}).order_by({class}.id)))\n\n    def add(self, name: str) -> {class}:\n        record = {class}(name=name)\n        self.session.add(record)\n        self.session.commit()\n        self.session.refresh(record)\n        return record\n"
            ),
        ),
        file(
            "router.py",
            format!(
                "\"\"\"HTTP routes of the {name} module.\"\"\"\n\nfrom fastapi import APIRouter, status\n\nfrom {pkg}.api.deps import db_session\nfrom {pkg}.modules.{name}.schemas import {class}Create, {class}Read\nfrom {pkg}.modules.{name}.services.{name}_service import {class}Service\n\nrouter = APIRouter()\n\n\n@router.get(\"/\", response_model=list[{class}Read])\ndef list_items(session: db_session) -> list[{class}Read]:\n    return {class}Service(session).list()\n\n\n@router.post(\"/\", response_model={class}Read, status_code=status.HTTP_201_CREATED)\ndef create_item(payload: {class}Create, session: db_session) -> {class}Read:\n    return {class}Service(session).create(payload)\n"
            ),
        ),
        file(
            "schemas.py",
            format!(
                "\"\"\"Request and response bodies of the {name} module.\"\"\"\n\nfrom pydantic import BaseModel, ConfigDict, Field\n\n\nclass {class}Create(BaseModel):\n    name: str = Field(min_length=1, max_length=200)\n\n\nclass {class}Read(BaseModel):\n    model_config = ConfigDict(from_attributes=True)\n\n    id: int\n    name: str\n"
            ),
        ),
        file(
            "services/__init__.py",
            format!("\"\"\"Services of the {name} module.\"\"\"\n"),
        ),
        file(
            &format!("services/{name}_service.py"),
            format!(
                "\"\"\"Use cases of the {name} module.\"\"\"\n\nfrom sqlalchemy.orm import Session\n\nfrom {pkg}.modules.{name}.repository import {class}Repository\nfrom {pkg}.modules.{name}.schemas import {class}Create, {class}Read\n\n\nclass {class}Service:\n    def __init__(self, session: Session) -> None:\n        self.repository = {class}Repository(session)\n\n    def list(self) -> list[{class}Read]:\n        return [{class}Read.model_validate(r) for r in self.repository.list()]\n\n    def create(self, payload: {class}Create) -> {class}Read:\n        return {class}Read.model_validate(self.repository.add(payload.name))\n"
            ),
        ),
        (
            format!("tests/integration/test_{name}.py"),
            format!(
                "from fastapi.testclient import TestClient\n\n\ndef test_create_and_list(client: TestClient) -> None:\n    created = client.post(\"/api/v1/{name}/\", json={{\"name\": \"a\"}})\n    assert created.status_code == 201\n    assert client.get(\"/api/v1/{name}/\").json() == [created.json()]\n"
            ),
        ),
        (
            format!("tests/unit/test_{name}_service.py"),
            format!(
                "from {pkg}.modules.{name}.schemas import {class}Create\n\n\ndef test_payload_requires_a_name() -> None:\n    assert {class}Create(name=\"a\").name == \"a\"\n"
            ),
        ),
    ]
}
