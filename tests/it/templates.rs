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
        auth: Default::default(),
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

/// The auth files with every combination of auth extensions render and parse.
#[test]
fn auth_renders_and_parses_with_every_combination_of_extensions() {
    use polepos::feature::auth_extension::{ALL, Extensions, render_all};
    let ctx = options(DbMode::Sqlite, true);
    for mask in 0..(1u32 << ALL.len()) {
        let set: Extensions = ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, e)| *e)
            .collect();
        let files = render_all(&ctx, &set).unwrap();
        let rendered: Vec<Rendered> = files
            .into_iter()
            .map(|f| Rendered {
                path: f.path,
                contents: f.contents,
            })
            .collect();
        for file in &rendered {
            assert!(
                !file.contents.contains("{{") && !file.contents.contains("{%"),
                "{}: unrendered syntax",
                file.path.display()
            );
        }
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), &rendered);
        assert_python_parses(dir.path());
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

fn file<'a>(files: &'a [Rendered], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path == Path::new(path))
        .unwrap_or_else(|| panic!("{path} is not generated"))
        .contents
}

/// The database `TEST_DATABASE_URL` names in the generated README.
fn readme_test_database(readme: &str) -> String {
    let at = readme
        .find("TEST_DATABASE_URL=")
        .expect("README shows a TEST_DATABASE_URL");
    let url = readme[at + "TEST_DATABASE_URL=".len()..]
        .split(['`', ' ', '\n'])
        .next()
        .unwrap();
    url.rsplit('/').next().unwrap().to_string()
}

#[test]
fn the_test_database_the_readme_names_is_one_compose_creates() {
    let files = render_project(&options(DbMode::Postgres, true));
    let database = readme_test_database(file(&files, "README.md"));
    assert_eq!(database, "shop_api_test");
    let compose = file(&files, "compose.yaml");
    assert!(
        compose.contains(&format!("CREATE DATABASE {database};")),
        "compose.yaml does not create {database}:\n{compose}"
    );
    // The application's own database is the image's POSTGRES_DB.
    assert!(compose.contains("POSTGRES_DB: shop_api\n"), "{compose}");
    // The same names in polepos's own documentation of the generated project.
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/project.md");
    let docs = std::fs::read_to_string(page).unwrap();
    assert_eq!(readme_test_database(&docs), database);
    // A SQLite project's example is a SQLite file, which needs no server at all.
    let sqlite = render_project(&options(DbMode::Sqlite, true));
    assert!(file(&sqlite, "README.md").contains("TEST_DATABASE_URL=sqlite:///"));
}

#[test]
fn one_python_version_for_uv_the_image_and_the_tools() {
    for db in MODES {
        let files = render_project(&options(db, true));
        let version = file(&files, ".python-version").trim().to_string();
        let pyproject: toml_edit::DocumentMut = file(&files, "pyproject.toml").parse().unwrap();
        assert_eq!(
            pyproject["project"]["requires-python"].as_str(),
            Some(format!(">={version}").as_str())
        );
        assert_eq!(
            pyproject["tool"]["mypy"]["python_version"].as_str(),
            Some(version.as_str())
        );
        assert_eq!(
            pyproject["tool"]["ruff"]["target-version"].as_str(),
            Some(format!("py{}", version.replace('.', "")).as_str())
        );
        assert!(
            file(&files, "Dockerfile").contains(&format!("\nARG PYTHON_VERSION={version}\n")),
            "the Dockerfile's Python is not {version}"
        );
    }
}

/// The variables compose's `environment:` sets for the app (and migrate) containers.
fn compose_environment(compose: &str) -> Vec<&str> {
    let mut lines = compose.lines().skip_while(|l| *l != "    environment:");
    assert!(lines.next().is_some(), "no environment block:\n{compose}");
    lines
        .take_while(|l| l.starts_with("      "))
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(str::trim)
        .collect()
}

#[test]
fn containers_run_as_production_whatever_env_says() {
    for db in MODES {
        let files = render_project(&options(db, true));
        // compose also reads `.env`, whose APP_ENV is development; `environment` wins.
        assert!(file(&files, ".env").contains("\nAPP_ENV=development\n"));
        let compose = file(&files, "compose.yaml");
        assert!(compose.contains("    env_file:\n"), "{db:?}: {compose}");
        let environment = compose_environment(compose);
        assert!(
            environment.contains(&"APP_ENV: production"),
            "{db:?}: {environment:?}"
        );
        let dockerfile = file(&files, "Dockerfile");
        let runtime = &dockerfile[dockerfile.find("AS runtime").unwrap()..];
        assert!(
            runtime.contains("    APP_ENV=production \\\n"),
            "{db:?}: {runtime}"
        );
    }
}

#[test]
fn ci_runs_every_check_and_coverage_is_configured() {
    for db in MODES {
        let files = render_project(&options(db, true));
        let ci = file(&files, ".github/workflows/ci.yml");
        let runs: Vec<&str> = ci
            .lines()
            .filter_map(|l| l.trim().strip_prefix("run: "))
            .chain(
                ci.lines()
                    .map(str::trim)
                    .filter(|l| l.starts_with("polepos ")),
            )
            .collect();
        for step in [
            "uv sync --extra dev",
            "uv run ruff check",
            "uv run ruff format --check",
            "uv run mypy",
            "uv run pytest --cov",
            "polepos check --format github",
        ] {
            assert!(runs.contains(&step), "{db:?}: CI lacks `{step}`: {runs:?}");
        }
        // The polepos that generated the project, never whatever is newest.
        let pin = format!("uv tool install polepos=={}\n", env!("CARGO_PKG_VERSION"));
        assert!(ci.contains(&pin), "{ci}");
        assert_eq!(
            ci.contains("TEST_DATABASE_URL: postgresql+psycopg://"),
            db == DbMode::Postgres
        );
        let hooks = file(&files, ".pre-commit-config.yaml");
        assert!(hooks.contains("repo: https://github.com/astral-sh/ruff-pre-commit"));
        assert!(hooks.contains("- id: ruff-check") && hooks.contains("- id: ruff-format"));
        let pyproject: toml_edit::DocumentMut = file(&files, "pyproject.toml").parse().unwrap();
        let dev = pyproject["project"]["optional-dependencies"]["dev"]
            .as_array()
            .unwrap();
        assert!(
            dev.iter()
                .any(|d| d.as_str().unwrap().starts_with("pytest-cov>=")),
            "{dev}"
        );
        assert_eq!(
            pyproject["tool"]["coverage"]["run"]["source"][0].as_str(),
            Some("shop_api")
        );
        assert!(pyproject["tool"]["coverage"]["report"].is_table());
        // The ruff hook's version is the one the dev extra allows.
        let rev = hooks
            .lines()
            .find_map(|l| l.trim().strip_prefix("rev: v"))
            .unwrap();
        let minor = rev.rsplit_once('.').unwrap().0;
        assert!(
            dev.iter().any(|d| d.as_str().unwrap()
                == format!(
                    "ruff>={minor},<0.{}",
                    minor[2..].parse::<u32>().unwrap() + 1
                )),
            "pre-commit's ruff {rev} is outside the dev extra: {dev}"
        );
    }
}
