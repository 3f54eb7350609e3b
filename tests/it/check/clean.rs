//! No false alarm: every generated state and the older tool's layout, with or without a
//! manifest, check clean (the benchmark generator's projects are tested in xtask/).

use polepos::manifest::DbMode;

use super::support::{Project, legacy, sqlite, with_auth};

#[test]
fn fresh_projects_in_every_db_mode_are_clean() {
    for db in [DbMode::Sqlite, DbMode::Postgres, DbMode::None] {
        Project::fresh(db).assert_clean();
    }
}

#[test]
fn projects_after_add_auth_are_clean() {
    for db in [DbMode::Sqlite, DbMode::Postgres] {
        Project::fresh_with_auth(db).assert_clean();
    }
}

#[test]
fn legacy_layout_with_every_template_and_integration_is_clean() {
    legacy().assert_clean();
}

#[test]
fn legacy_layout_without_a_manifest_is_clean() {
    let project = legacy();
    project.remove(".poleposition.toml");
    project.assert_clean();
}

#[test]
fn fresh_project_without_a_manifest_is_clean() {
    let project = with_auth();
    project.remove(".poleposition.toml");
    project.assert_clean();
}

#[test]
fn check_works_from_a_subdirectory() {
    let project = sqlite();
    let report = polepos::check::check(&project.path("src/shop/api"));
    assert_eq!(report.project_root.as_deref(), Some(project.root.as_path()));
    assert!(report.issues.is_empty());
}

#[test]
fn every_problem_is_reported_once_in_a_stable_order() {
    let project = legacy();
    project.remove(&project.p("modules/orders/repository.py"));
    project.remove("tests/unit/test_billing_service_only.py");
    project.delete_line(&project.p("api/router.py"), "# polepos:router-imports");
    project.delete_line(&project.p("modules/__init__.py"), "\"catalog\",");
    let first = project.report();
    let second = project.report();
    assert_eq!(first, second);
    let summary: Vec<String> = first
        .issues
        .iter()
        .map(|i| {
            format!(
                "{} {}:{}",
                i.code,
                i.path.clone().unwrap_or_default(),
                i.line.unwrap_or(0)
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "PPCHK021 src/legacy_shop/api/router.py:0",
            "PPCHK032 src/legacy_shop/modules/__init__.py:7",
            "PPCHK031 src/legacy_shop/modules/orders/repository.py:0",
            "PPCHK037 tests/unit/test_billing_service_only.py:0",
        ]
    );
}
