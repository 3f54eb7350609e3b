//! `polepos check`: every code from a project broken in exactly one way, clean checks of
//! every generated state and of the older tool's layout, and `--fix`.

#[path = "check/support.rs"]
mod support;

use polepos::cli::DbMode;
use support::Project;

fn legacy() -> Project {
    Project::legacy()
}

fn sqlite() -> Project {
    Project::fresh(DbMode::Sqlite)
}

fn with_auth() -> Project {
    Project::fresh_with_auth(DbMode::Sqlite)
}

// ---------------------------------------------------------------- clean projects

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
fn generated_benchmark_project_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("bench");
    polepos::check::bench_project(&root, 40).unwrap();
    let report = polepos::check::check(&root);
    assert!(report.issues.is_empty(), "{:#?}", report.issues);
}

#[test]
fn check_works_from_a_subdirectory() {
    let project = sqlite();
    let report = polepos::check::check(&project.path("src/shop/api"));
    assert_eq!(report.project_root.as_deref(), Some(project.root.as_path()));
    assert!(report.issues.is_empty());
}

// ---------------------------------------------------------------- identity (000–006)

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

// ---------------------------------------------------------------- structure and manifest (010–018)

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

#[test]
fn ppchk013_bad_db_mode() {
    let project = sqlite();
    project.edit(".poleposition.toml", "db = \"sqlite\"", "db = \"mysql\"");
    project.assert_only("PPCHK013");
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

// ---------------------------------------------------------------- managed files and markers (020–024)

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

// ---------------------------------------------------------------- modules (030–039)

#[test]
fn ppchk030_module_name_not_an_identifier() {
    let project = legacy();
    project.write(&project.p("modules/bad-name/__init__.py"), "");
    project.assert_only("PPCHK030");
}

#[test]
fn ppchk031_module_template_file_missing() {
    let project = legacy();
    project.remove(&project.p("modules/orders/repository.py"));
    project.assert_only("PPCHK031");
    let project = legacy();
    project.remove(&project.p("modules/assistant/orchestrator.py"));
    project.assert_only("PPCHK031");
}

#[test]
fn ppchk032_module_export_missing() {
    let project = legacy();
    project.delete_line(&project.p("modules/__init__.py"), "\"orders\",");
    project.assert_only("PPCHK032");
}

#[test]
fn ppchk033_module_router_import_missing() {
    let project = legacy();
    project.delete_line(
        &project.p("api/router.py"),
        "from legacy_shop.modules.orders.router import router as orders_router",
    );
    project.assert_only("PPCHK033");
}

#[test]
fn ppchk034_module_router_include_missing_or_changed() {
    let project = legacy();
    project.delete_line(
        &project.p("api/router.py"),
        "api_router.include_router(orders_router, prefix=\"/orders\", tags=[\"orders\"])",
    );
    project.assert_only("PPCHK034");
    let project = legacy();
    project.edit(
        &project.p("api/router.py"),
        "prefix=\"/orders\"",
        "prefix=\"/order\"",
    );
    let report = project.assert_only("PPCHK034");
    assert_eq!(report.issues[0].line, Some(14));
    let project = legacy();
    project.edit(
        &project.p("api/router.py"),
        "tags=[\"orders\"]",
        "tags=[\"shop\"]",
    );
    project.assert_only("PPCHK034");
}

#[test]
fn ppchk035_module_model_import_missing() {
    let project = legacy();
    project.delete_line(
        &project.p("db/models.py"),
        "from legacy_shop.modules.orders import model  # noqa: F401",
    );
    project.assert_only("PPCHK035");
}

#[test]
fn ppchk036_module_integration_test_missing() {
    let project = legacy();
    project.remove("tests/integration/test_invoices_crud.py");
    project.assert_only("PPCHK036");
}

#[test]
fn ppchk037_module_unit_test_missing() {
    let project = legacy();
    project.remove("tests/unit/test_assistant_orchestrator.py");
    project.assert_only("PPCHK037");
}

#[test]
fn ppchk038_syntax_error_in_a_managed_file() {
    let project = sqlite();
    project.edit(
        "src/shop/api/router.py",
        "api_router = APIRouter()",
        "api_router = APIRouter(",
    );
    let report = project.assert_only("PPCHK038");
    assert_eq!(
        report.issues.len(),
        1,
        "reported once: {:#?}",
        report.issues
    );
    assert_eq!(
        report.issues[0].path.as_deref(),
        Some("src/shop/api/router.py")
    );
    assert!(report.issues[0].line.is_some());
}

#[test]
fn ppchk038_syntax_error_in_a_module_file_other_checks_continue() {
    let project = legacy();
    project.write(
        &project.p("modules/orders/repository.py"),
        "from legacy_shop.modules.billing.model import Billing\n\ndef broken(:\n    pass\n",
    );
    project.remove("tests/unit/test_catalog_api_service.py");
    let report = project.report();
    let found: Vec<(String, Option<usize>)> = report
        .issues
        .iter()
        .map(|i| (i.code.name(), i.line))
        .collect();
    assert_eq!(
        found,
        [
            ("PPCHK038".to_string(), Some(3)),
            ("PPCHK037".to_string(), None)
        ]
    );
}

#[test]
fn ppchk039_orphan_references() {
    let project = legacy();
    project.remove(&project.p("modules/catalog"));
    project.remove("tests/integration/test_catalog.py");
    project.remove("tests/unit/test_catalog_api_service.py");
    project.delete_line(".poleposition.toml", "catalog = \"api-only\"");
    let report = project.assert_only("PPCHK039");
    assert_eq!(
        report.issues.len(),
        3,
        "import, include and export: {:#?}",
        report.issues
    );
}

#[test]
fn ppchk039_model_import_of_a_missing_model_file() {
    let project = legacy();
    project.edit(&project.p("db/models.py"), "    # polepos:model-imports", "    from legacy_shop.modules.catalog import model as catalog_model  # noqa: F401\n    # polepos:model-imports");
    project.assert_only("PPCHK039");
}

// ---------------------------------------------------------------- integrations (040–043)

#[test]
fn ppchk040_integration_file_missing() {
    let project = legacy();
    project.remove(&project.p("integrations/redis/cache.py"));
    project.assert_only("PPCHK040");
    let project = legacy();
    project.remove(&project.p("integrations/llm/provider.py"));
    project.assert_only("PPCHK040");
}

#[test]
fn ppchk040_integration_traces_without_manifest_entry() {
    let project = sqlite();
    project.write("src/shop/integrations/__init__.py", "");
    project.write("src/shop/integrations/rq/__init__.py", "");
    let codes = project.codes();
    assert!(codes.contains(&"PPCHK040".to_string()), "{codes:?}");
}

#[test]
fn ppchk041_integration_dependency_missing() {
    let project = legacy();
    project.delete_line("pyproject.toml", "\"redis>=5.0.0\",");
    project.assert_only("PPCHK041");
}

#[test]
fn ppchk042_integration_setting_missing() {
    let project = legacy();
    project.delete_line(
        &project.p("settings.py"),
        "redis_url: str = \"redis://localhost:6379/0\"",
    );
    let report = project.assert_only("PPCHK042");
    assert!(report.issues[0].message.contains("redis_url"));
}

#[test]
fn ppchk043_integration_env_value_missing_or_commented() {
    let project = legacy();
    project.edit(".env.example", "REDIS_URL=", "# REDIS_URL=");
    project.assert_only("PPCHK043");
}

#[test]
fn optional_integration_env_values_may_stay_commented() {
    let project = legacy();
    assert!(
        project
            .read(".env.example")
            .contains("# KAFKA_COMPRESSION_TYPE=")
    );
    project.assert_clean();
}

// ---------------------------------------------------------------- auth (044–051)

#[test]
fn ppchk044_auth_without_database() {
    let project = Project::fresh(DbMode::None);
    project.edit(
        ".poleposition.toml",
        "[integrations]",
        "[integrations]\nauth = true",
    );
    project.assert_only("PPCHK044");
}

#[test]
fn ppchk045_auth_file_missing() {
    let project = with_auth();
    project.remove("src/shop/auth/password.py");
    project.assert_only("PPCHK045");
}

#[test]
fn ppchk046_auth_integration_test_missing() {
    let project = with_auth();
    project.remove("tests/integration/test_auth.py");
    project.assert_only("PPCHK046");
}

#[test]
fn ppchk047_auth_unit_test_missing() {
    let project = with_auth();
    project.remove("tests/unit/test_auth_service.py");
    project.assert_only("PPCHK047");
}

#[test]
fn ppchk048_auth_dependency_missing() {
    let project = with_auth();
    project.delete_line("pyproject.toml", "\"pwdlib[argon2]>=0.2.0\",");
    project.assert_only("PPCHK048");
}

#[test]
fn ppchk049_auth_router_import_missing() {
    let project = with_auth();
    project.delete_line(
        "src/shop/api/router.py",
        "from shop.auth.router import router as auth_router",
    );
    project.assert_only("PPCHK049");
}

#[test]
fn ppchk050_auth_router_include_missing_or_changed() {
    let project = with_auth();
    project.delete_line(
        "src/shop/api/router.py",
        "api_router.include_router(auth_router, prefix=\"/auth\", tags=[\"auth\"])",
    );
    project.assert_only("PPCHK050");
    let project = with_auth();
    project.edit(
        "src/shop/api/router.py",
        "prefix=\"/auth\"",
        "prefix=\"/login\"",
    );
    project.assert_only("PPCHK050");
}

#[test]
fn ppchk051_auth_model_import_missing() {
    let project = with_auth();
    project.delete_line(
        "src/shop/db/models.py",
        "from shop.auth import model as auth_model  # noqa: F401",
    );
    project.assert_only("PPCHK051");
}

#[test]
fn auth_traces_without_manifest_entry_are_validated() {
    let project = with_auth();
    project.edit(".poleposition.toml", "auth = true", "");
    project.assert_clean();
    project.remove("src/shop/auth/user_service.py");
    project.assert_only("PPCHK045");
}

// ---------------------------------------------------------------- cross-module (060–062)

#[test]
fn ppchk060_circular_import_between_modules() {
    let project = legacy();
    project.edit(&project.p("modules/orders/repository.py"), "from sqlalchemy.orm import Session\n", "from sqlalchemy.orm import Session\n\nfrom legacy_shop.modules.billing.model import Billing\n");
    project.edit(
        &project.p("modules/billing/repository.py"),
        "from sqlalchemy.orm import Session\n",
        "from sqlalchemy.orm import Session\n\nfrom legacy_shop.modules.orders import model\n",
    );
    let report = project.assert_only("PPCHK060");
    assert_eq!(report.issues.len(), 1, "one cycle, reported once");
    assert!(
        report.issues[0]
            .message
            .contains("billing -> orders -> billing"),
        "{}",
        report.issues[0].message
    );
}

#[test]
fn imports_inside_functions_or_type_checking_are_not_cycles() {
    let project = legacy();
    project.edit(&project.p("modules/orders/repository.py"), "from sqlalchemy.orm import Session\n", "from typing import TYPE_CHECKING\n\nfrom sqlalchemy.orm import Session\n\nif TYPE_CHECKING:\n    from legacy_shop.modules.billing.model import Billing\n");
    project.edit(&project.p("modules/billing/repository.py"), "        self.session = session\n", "        self.session = session\n        from legacy_shop.modules.orders import model  # noqa: F401\n");
    project.assert_clean();
}

#[test]
fn ppchk061_two_routers_on_one_prefix() {
    let project = legacy();
    project.edit(&project.p("api/router.py"), "# polepos:router-includes", "api_router.include_router(orders_router, prefix=\"/orders/\", tags=[\"orders\"])\n# polepos:router-includes");
    project.assert_only("PPCHK061");
}

#[test]
fn ppchk062_duplicate_table_names() {
    let project = legacy();
    project.edit(
        &project.p("modules/billing/model.py"),
        "__tablename__ = \"billing\"",
        "__tablename__ = \"orders\"",
    );
    let report = project.assert_only("PPCHK062");
    assert_eq!(report.issues.len(), 1);
    let project = with_auth();
    project.write(
        "src/shop/modules/status/model.py",
        "__tablename__ = 'auth_users'\n",
    );
    assert!(project.codes().contains(&"PPCHK062".to_string()));
}

// ---------------------------------------------------------------- --fix

#[test]
fn fix_on_a_clean_project_changes_nothing() {
    for project in [with_auth(), legacy(), Project::fresh(DbMode::None)] {
        let before = project.tree();
        let report = polepos::check::check_and_fix(&project.root).unwrap();
        assert!(report.fixed.is_empty());
        assert!(report.issues.is_empty());
        assert_eq!(before, project.tree());
    }
}

#[test]
fn fix_restores_every_marker_exactly_where_it_was_generated() {
    let project = with_auth();
    let before = project.tree();
    for (file, marker) in [
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
    ] {
        project.delete_line(file, marker);
    }
    let report = polepos::check::check_and_fix(&project.root).unwrap();
    assert!(report.issues.is_empty(), "{:#?}", report.issues);
    assert_eq!(report.fixed.len(), 10);
    assert!(report.fixed.iter().all(|f| f.code.name() == "PPCHK021"));
    for (path, bytes) in before {
        assert_eq!(
            String::from_utf8_lossy(&project.tree()[&path]),
            String::from_utf8_lossy(&bytes),
            "{}",
            path.display()
        );
    }
}

#[test]
fn fix_restores_wiring_that_is_provably_safe() {
    let project = legacy();
    let router = project.p("api/router.py");
    project.delete_line(
        &router,
        "api_router.include_router(catalog_router, prefix=\"/catalog\", tags=[\"catalog\"])",
    );
    project.delete_line(
        &router,
        "api_router.include_router(auth_router, prefix=\"/auth\", tags=[\"auth\"])",
    );
    project.delete_line(&project.p("modules/__init__.py"), "\"billing\",");
    project.delete_line(
        &project.p("db/models.py"),
        "from legacy_shop.modules.invoices import model as invoices_model  # noqa: F401",
    );
    project.delete_line(
        &project.p("db/models.py"),
        "from legacy_shop.auth import model as auth_model  # noqa: F401",
    );
    let report = polepos::check::check_and_fix(&project.root).unwrap();
    assert!(report.issues.is_empty(), "{:#?}", report.issues);
    let mut codes: Vec<String> = report.fixed.iter().map(|f| f.code.name()).collect();
    codes.sort();
    assert_eq!(
        codes,
        ["PPCHK032", "PPCHK034", "PPCHK035", "PPCHK050", "PPCHK051"]
    );
}

#[test]
fn fix_leaves_what_it_cannot_prove_safe() {
    let project = legacy();
    // A missing router import cannot be restored safely (the name might be anything).
    project.delete_line(
        &project.p("api/router.py"),
        "from legacy_shop.modules.orders.router import router as orders_router",
    );
    let before = project.tree();
    let report = polepos::check::check_and_fix(&project.root).unwrap();
    assert!(report.fixed.is_empty());
    assert_eq!(before, project.tree());
    assert_eq!(
        report
            .issues
            .iter()
            .map(|i| i.code.name())
            .collect::<Vec<_>>(),
        ["PPCHK033"]
    );
}

#[test]
fn fix_never_touches_an_unreadable_manifest_or_a_file_with_a_syntax_error() {
    let project = with_auth();
    project.edit(".poleposition.toml", "[integrations]", "[integrations");
    project.delete_line("src/shop/api/router.py", "# polepos:router-imports");
    project.edit(
        "src/shop/api/router.py",
        "api_router = APIRouter()",
        "api_router = APIRouter(",
    );
    let manifest = project.read(".poleposition.toml");
    let router = project.read("src/shop/api/router.py");
    project.delete_line("src/shop/db/models.py", "# polepos:model-imports");
    let report = polepos::check::check_and_fix(&project.root).unwrap();
    assert_eq!(project.read(".poleposition.toml"), manifest);
    assert_eq!(project.read("src/shop/api/router.py"), router);
    let fixed: Vec<&str> = report.fixed.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(fixed, ["src/shop/db/models.py"]);
}

#[test]
fn fix_does_not_reflow_a_one_line_all() {
    let project = sqlite();
    project.write("src/shop/modules/__init__.py", "__all__ = [\"status\"]\n");
    let report = polepos::check::check_and_fix(&project.root).unwrap();
    assert!(report.fixed.is_empty());
    assert_eq!(
        report
            .issues
            .iter()
            .map(|i| i.code.name())
            .collect::<Vec<_>>(),
        ["PPCHK021"]
    );
}

#[test]
fn fix_keeps_a_missing_trailing_comma_safe() {
    let project = legacy();
    let init = project.p("modules/__init__.py");
    project.edit(&init, "    \"assistant\",\n", "    \"assistant\"\n");
    project.delete_line(&init, "\"billing\",");
    let before = project.read(&init);
    let report = polepos::check::check_and_fix(&project.root).unwrap();
    // Adding `"billing",` after `"assistant"` would concatenate the strings: not done.
    assert_eq!(project.read(&init), before);
    assert!(report.fixed.is_empty());
}

// ---------------------------------------------------------------- ordering and determinism

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
