//! Every template, rendered for every option combination, must parse (Python with
//! CPython's own parser, TOML with toml_edit), and the generated files are snapshotted.

use std::path::Path;
use std::process::Command;

use polepos::changeset::Change;
use polepos::feature::{self, ProjectContext, plan};
use polepos::manifest::DbMode;
use polepos::templates::{self, Rendered};

const MODES: [DbMode; 3] = [DbMode::Sqlite, DbMode::Postgres, DbMode::None];

fn options(db: DbMode, bytecode: bool) -> ProjectContext {
    ProjectContext {
        name: "shop-api".into(),
        package: "shop_api".into(),
        db,
        bytecode,
    }
}

/// Every file `start` writes (the ledger included), as (path, contents), sorted.
fn render_project(ctx: &ProjectContext) -> Vec<Rendered> {
    let recipe = feature::project::recipe(ctx, &"0".repeat(64)).unwrap();
    let set = plan::plan_new_project(std::path::Path::new("shop-api"), &recipe);
    let mut files: Vec<Rendered> = set
        .changes()
        .iter()
        .map(|change| match change {
            Change::Create { path, contents, .. } => Rendered {
                path: path.clone(),
                contents: contents.clone(),
            },
            other => panic!("start only creates files: {other:?}"),
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

fn write_all(root: &Path, files: &[Rendered]) {
    for file in files {
        let path = root.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &file.contents).unwrap();
    }
}

fn assert_python_parses(root: &Path) {
    let script = "import ast, pathlib, sys\n\
                  files = sorted(pathlib.Path(sys.argv[1]).rglob('*.py'))\n\
                  assert files, 'no python files'\n\
                  for p in files:\n    ast.parse(p.read_text(encoding='utf-8'), filename=str(p))\n\
                  print(len(files))\n";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(root)
        .output()
        .expect("python3 is required");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_template_renders_and_parses_for_every_option() {
    for db in MODES {
        for bytecode in [true, false] {
            let mut files = render_project(&options(db, bytecode));
            let ctx = options(db, bytecode).template_context("");
            if db.has_db() {
                files.extend(templates::render_tree("auth", &ctx).unwrap());
            }
            for file in &files {
                let name = file.path.to_string_lossy();
                if name.ends_with(".toml") {
                    file.contents
                        .parse::<toml_edit::DocumentMut>()
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                }
                assert!(
                    !file.contents.contains("{{") && !file.contents.contains("{%"),
                    "{name}: unrendered syntax"
                );
            }
            let dir = tempfile::tempdir().unwrap();
            write_all(dir.path(), &files);
            assert_python_parses(dir.path());
        }
    }
}

#[test]
fn generated_files_snapshot() {
    for db in MODES {
        let files = render_project(&options(db, true));
        let mut all = String::new();
        for file in &files {
            all.push_str(&format!(
                "=== {} ===\n{}",
                file.path.display(),
                file.contents
            ));
        }
        insta::assert_snapshot!(format!("generated_{}", db.as_str()), all);
    }
}

#[test]
fn auth_files_snapshot() {
    let files = templates::render_tree("auth", &options(DbMode::Sqlite, true).template_context(""))
        .unwrap();
    let mut all = String::new();
    for file in &files {
        all.push_str(&format!(
            "=== {} ===\n{}",
            file.path.display(),
            file.contents
        ));
    }
    insta::assert_snapshot!("auth_files", all);
}
