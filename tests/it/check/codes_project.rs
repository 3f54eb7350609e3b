//! One test per code about the project as a whole (PPCHK000–024): each breaks a clean
//! project in one way and asserts exactly that code.

use polepos::manifest::DbMode;

use super::support::{Project, legacy, sqlite, with_auth};

#[test]
fn ppchk000_not_a_project() {
    let dir = tempfile::tempdir().unwrap();
    let report = polepos::check::check(dir.path());
    let codes: Vec<String> = report.issues.iter().map(|i| i.code.name()).collect();
    assert_eq!(codes, ["PPCHK000"]);
    assert_eq!(report.project_root, None);
    assert!(!report.passed());
}

#[test]
fn ppchk001_pyproject_missing() {
    let project = sqlite();
    project.remove("pyproject.toml");
    project.assert_only("PPCHK001");
}

#[test]
fn ppchk002_src_missing() {
    let project = sqlite();
    project.remove("src");
    project.assert_only("PPCHK002");
}

#[test]
fn ppchk003_package_dir_missing() {
    let project = sqlite();
    project.remove("src/shop");
    project.assert_only("PPCHK003");
}

#[test]
fn ppchk004_package_not_an_identifier() {
    let project = sqlite();
    project.edit(
        ".poleposition.toml",
        "package = \"shop\"",
        "package = \"my-shop\"",
    );
    let report = project.assert_only("PPCHK004");
    assert_eq!(report.issues[0].line, Some(4));
}

#[test]
fn ppchk005_manifest_package_differs_from_disk() {
    let project = sqlite();
    project.edit(
        ".poleposition.toml",
        "package = \"shop\"",
        "package = \"store\"",
    );
    let report = project.assert_only("PPCHK005");
    assert_eq!(report.package.as_deref(), Some("shop"));
}

#[test]
fn ppchk006_pyproject_not_toml() {
    let project = sqlite();
    project.edit("pyproject.toml", "[project]", "[project");
    let report = project.assert_only("PPCHK006");
    assert_eq!(report.issues[0].line, Some(1));
}

#[test]
fn ppchk010_required_file_missing() {
    let project = sqlite();
    project.remove("src/shop/app.py");
    let report = project.assert_only("PPCHK010");
    assert_eq!(report.issues.len(), 1);
    assert_eq!(report.issues[0].path.as_deref(), Some("src/shop/app.py"));
}

#[test]
fn ppchk010_foundation_auth_files_are_required() {
    let project = sqlite();
    project.remove("src/shop/auth/token.py");
    project.assert_only("PPCHK010");
}

#[test]
fn ppchk011_alembic_file_missing() {
    let project = sqlite();
    project.remove("alembic.ini");
    project.assert_only("PPCHK011");
    project.remove("migrations/versions");
    assert_eq!(project.assert_only("PPCHK011").issues.len(), 2);
}

#[test]
fn ppchk012_database_remnants_in_a_none_project() {
    let project = Project::fresh(DbMode::None);
    project.write("alembic.ini", "[alembic]\n");
    project.assert_only("PPCHK012");
    project.edit(
        "pyproject.toml",
        "dependencies = [\n",
        "dependencies = [\n    \"sqlalchemy>=2.0\",\n",
    );
    let report = project.assert_only("PPCHK012");
    assert_eq!(report.issues.len(), 2);
    assert!(
        report
            .issues
            .iter()
            .any(|i| i.path.as_deref() == Some("pyproject.toml") && i.line.is_some())
    );
}

/// What the older tool also reported in a `--db none` project: foundation code that
/// still imports the database layer (it fails at import), and a Dockerfile that still
/// copies Alembic's files (the build fails).
#[test]
fn ppchk012_database_imports_and_dockerfile_steps_in_a_none_project() {
    let project = Project::fresh(DbMode::None);
    let deps = project.p("api/deps.py");
    project.edit(
        &deps,
        "from typing import Annotated\n",
        "from typing import Annotated\n\nfrom sqlalchemy.orm import Session\n\nfrom shop.db.session import get_db\n",
    );
    project.edit(
        "Dockerfile",
        "COPY src ./src\n",
        "COPY src ./src\nCOPY alembic.ini ./\ncopy migrations/ ./migrations/\n",
    );
    let report = project.assert_only("PPCHK012");
    let mut found: Vec<(String, Option<usize>)> = report
        .issues
        .iter()
        .map(|i| (i.path.clone().unwrap_or_default(), i.line))
        .collect();
    found.sort();
    assert_eq!(found.len(), 4, "{:#?}", report.issues);
    assert!(found.iter().all(|(_, line)| line.is_some()), "{found:?}");
    assert_eq!(found.iter().filter(|(p, _)| p == "Dockerfile").count(), 2);
    assert_eq!(found.iter().filter(|(p, _)| *p == deps).count(), 2);
}

#[test]
fn ppchk013_bad_db_mode() {
    let project = sqlite();
    project.edit(".poleposition.toml", "db = \"sqlite\"", "db = \"mysql\"");
    project.assert_only("PPCHK013");
}

#[test]
fn db_values_are_case_insensitive_as_with_the_older_tool() {
    let project = sqlite();
    project.edit(".poleposition.toml", "db = \"sqlite\"", "db = \"SQLite\"");
    project.assert_clean();
}

/// `db = "custom"`: a database layer the team manages itself. `check` leaves the
/// database wiring alone and checks the rest; features that need polepos's own
/// database wiring refuse, every problem listed, nothing written.
#[test]
fn a_custom_database_layer_is_accepted_and_left_alone() {
    let project = with_auth();
    project.edit(".poleposition.toml", "db = \"sqlite\"", "db = \"custom\"");
    // The team replaced Alembic and the generated models registry with its own.
    project.remove("alembic.ini");
    project.remove("migrations");
    project.delete_line(&project.p("db/models.py"), "# polepos:model-imports");
    project.assert_clean();
    // The rest is still checked.
    project.delete_line(&project.p("api/router.py"), "# polepos:router-includes");
    project.assert_only("PPCHK021");
    project.write(
        &project.p("api/router.py"),
        super::support::sqlite().read(&project.p("api/router.py")),
    );

    let before = project.tree();
    let crud = super::support::polepos(
        &project.root,
        &["add", "module", "orders", "--template", "crud"],
    );
    assert_eq!(crud.code, 1, "{}", crud.stderr);
    assert!(
        crud.stderr
            .contains("manages its own database layer (db = \"custom\")"),
        "{}",
        crud.stderr
    );
    assert_eq!(project.tree(), before);
    let api = super::support::polepos(&project.root, &["add", "module", "weather", "--api-only"]);
    assert_eq!(api.code, 0, "{}", api.stderr);
}

#[test]
fn ppchk014_bad_module_template() {
    let project = legacy();
    project.edit(
        ".poleposition.toml",
        "invoices = \"crud[pagination,timestamps]\"",
        "invoices = \"crud[pagination,sorting]\"",
    );
    let report = project.assert_only("PPCHK014");
    assert_eq!(report.issues[0].line, Some(8));
}

#[test]
fn ppchk015_integration_not_a_bare_boolean() {
    let project = legacy();
    project.edit(".poleposition.toml", "redis = true", "redis = \"true\"");
    project.assert_only("PPCHK015");
}

#[test]
fn ppchk016_manifest_unreadable() {
    let project = legacy();
    project.edit(".poleposition.toml", "[modules]", "[modules");
    project.assert_only("PPCHK016");
    project.write(
        ".poleposition.toml",
        b"[poleposition]\npackage = \"\xff\"\n",
    );
    project.assert_only("PPCHK016");
}

#[test]
fn ppchk016_manifest_that_is_not_a_file() {
    let project = legacy();
    project.remove(".poleposition.toml");
    std::fs::create_dir(project.path(".poleposition.toml")).unwrap();
    let report = project.assert_only("PPCHK016");
    assert_eq!(
        report.issues[0].message,
        ".poleposition.toml is a directory, not a file"
    );
    std::fs::remove_dir(project.path(".poleposition.toml")).unwrap();
    std::os::unix::fs::symlink("nowhere.toml", project.path(".poleposition.toml")).unwrap();
    let report = project.assert_only("PPCHK016");
    assert_eq!(
        report.issues[0].message,
        ".poleposition.toml is a symbolic link to nothing"
    );
}

#[test]
fn ppchk017_manifest_module_without_directory() {
    let project = legacy();
    project.remove(&project.p("modules/catalog"));
    project.remove("tests/integration/test_catalog.py");
    project.remove("tests/unit/test_catalog_api_service.py");
    project.delete_line(&project.p("modules/__init__.py"), "\"catalog\",");
    project.delete_line(
        &project.p("api/router.py"),
        "from legacy_shop.modules.catalog.router import router as catalog_router",
    );
    project.delete_line(
        &project.p("api/router.py"),
        "api_router.include_router(catalog_router, prefix=\"/catalog\", tags=[\"catalog\"])",
    );
    let report = project.assert_only("PPCHK017");
    assert_eq!(report.issues[0].line, Some(9));
}

#[test]
fn ppchk018_module_not_in_the_manifest_is_a_warning() {
    let project = legacy();
    project.delete_line(".poleposition.toml", "catalog = \"api-only\"");
    let report = project.assert_only("PPCHK018");
    assert!(report.passed(), "warnings do not fail the check");
    assert!(
        report.issues[0]
            .remediation
            .contains("catalog = \"api-only\"")
    );
}

#[test]
fn ppchk020_managed_file_missing() {
    let project = sqlite();
    project.remove(".env.example");
    project.assert_only("PPCHK020");
    let project = sqlite();
    project.remove("src/shop/db/models.py");
    project.assert_only("PPCHK020");
}

#[test]
fn ppchk021_each_marker_missing() {
    let markers = [
        ("src/shop/api/router.py", "# polepos:router-imports"),
        ("src/shop/api/router.py", "# polepos:router-includes"),
        ("src/shop/db/models.py", "# polepos:model-imports"),
        ("src/shop/modules/__init__.py", "# polepos:module-exports"),
        ("src/shop/settings.py", "# polepos:auth-settings"),
        ("src/shop/settings.py", "# polepos:integration-settings"),
        ("src/shop/settings.py", "# polepos:llm-settings"),
        (".env.example", "# polepos:auth-env"),
        (".env.example", "# polepos:integration-env"),
        (".env.example", "# polepos:llm-env"),
    ];
    for (file, marker) in markers {
        let project = with_auth();
        project.delete_line(file, marker);
        let report = project.assert_only("PPCHK021");
        assert_eq!(report.issues.len(), 1, "{marker}");
        assert!(report.issues[0].message.contains(marker));
        assert_eq!(report.issues[0].path.as_deref(), Some(file));
    }
}

#[test]
fn ppchk022_status_wiring_changed() {
    let project = sqlite();
    project.edit(
        "src/shop/api/router.py",
        "include_router(status_router, tags=[\"status\"])",
        "include_router(status_router, prefix=\"/status\", tags=[\"status\"])",
    );
    project.assert_only("PPCHK022");
    let project = sqlite();
    project.delete_line(
        "src/shop/api/router.py",
        "from shop.modules.status.router import router as status_router",
    );
    project.assert_only("PPCHK022");
}

#[test]
fn ppchk023_file_not_utf8() {
    let project = sqlite();
    project.write(
        "src/shop/api/router.py",
        b"from fastapi import APIRouter\n\xff\xfe\n",
    );
    let report = project.assert_only("PPCHK023");
    assert_eq!(report.issues[0].line, Some(2));
}

#[test]
fn ppchk024_marker_out_of_place_or_duplicated() {
    let project = sqlite();
    project.delete_line("src/shop/modules/__init__.py", "# polepos:module-exports");
    project.edit(
        "src/shop/modules/__init__.py",
        "__all__ = [",
        "# polepos:module-exports\n__all__ = [",
    );
    project.assert_only("PPCHK024");
    let project = sqlite();
    project.edit(
        "src/shop/api/router.py",
        "api_router = APIRouter()",
        "api_router = APIRouter()\n# polepos:router-includes",
    );
    project.assert_only("PPCHK024");
    let project = sqlite();
    project.delete_line("src/shop/settings.py", "# polepos:llm-settings");
    project.edit(
        "src/shop/settings.py",
        "\n@lru_cache",
        "\n    # polepos:llm-settings\n@lru_cache",
    );
    project.assert_only("PPCHK024");
    let project = sqlite();
    project.delete_line("src/shop/settings.py", "# polepos:llm-settings");
    project.edit(
        "src/shop/settings.py",
        "    @field_validator(",
        "    # polepos:llm-settings\n    @field_validator(",
    );
    project.assert_only("PPCHK024");
    let project = sqlite();
    project.edit(
        "src/shop/api/router.py",
        "# polepos:router-imports",
        "# polepos:router-imports\n# polepos:router-imports",
    );
    project.assert_only("PPCHK024");
}

#[test]
fn a_starter_status_module_removed_on_purpose_is_not_an_error() {
    let project = super::support::sqlite();
    project.remove(&project.p("modules/status"));
    project.remove("tests/integration/test_status.py");
    project.delete_line(".poleposition.toml", "status = \"starter\"");
    let router = project.p("api/router.py");
    project.delete_line(
        &router,
        "from shop.modules.status.router import router as status_router",
    );
    project.delete_line(
        &router,
        "api_router.include_router(status_router, tags=[\"status\"])",
    );
    let init = project.p("modules/__init__.py");
    project.delete_line(&init, "\"status\",");
    project.assert_clean();
    // Half-removed is still reported.
    project.write(
        "tests/integration/test_status.py",
        "def test_nothing() -> None:\n    pass\n",
    );
    assert!(!project.codes().is_empty());
}
