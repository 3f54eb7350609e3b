//! `check --fix`: markers restored byte for byte where they were generated, safe
//! wiring restored, nothing else touched.

use polepos::manifest::DbMode;

use super::support::{Project, legacy, sqlite, with_auth};

#[test]
fn fix_on_a_clean_project_changes_nothing() {
    for project in [with_auth(), legacy(), Project::fresh(DbMode::None)] {
        let before = project.tree();
        let report = project.fix();
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
    let report = project.fix();
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
    let report = project.fix();
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
    let report = project.fix();
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
    let report = project.fix();
    assert_eq!(project.read(".poleposition.toml"), manifest);
    assert_eq!(project.read("src/shop/api/router.py"), router);
    let fixed: Vec<&str> = report.fixed.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(fixed, ["src/shop/db/models.py"]);
}

#[test]
fn fix_does_not_reflow_a_one_line_all() {
    let project = sqlite();
    project.write("src/shop/modules/__init__.py", "__all__ = [\"status\"]\n");
    let report = project.fix();
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
    let report = project.fix();
    // Adding `"billing",` after `"assistant"` would concatenate the strings: not done.
    assert_eq!(project.read(&init), before);
    assert!(report.fixed.is_empty());
}

#[test]
fn fix_never_includes_a_router_module_instead_of_its_router() {
    let project = super::support::sqlite();
    let router = project.p("api/router.py");
    project.edit(
        &router,
        "from shop.modules.status.router import router as status_router",
        "from shop.modules.status import router as status_router",
    );
    project.delete_line(
        &router,
        "api_router.include_router(status_router, tags=[\"status\"])",
    );
    let before = project.read(&router);
    let run = super::support::polepos(&project.root, &["check", "--fix"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("PPCHK022"), "{}", run.stdout);
    assert_eq!(
        project.read(&router),
        before,
        "no include of the module object"
    );
}
