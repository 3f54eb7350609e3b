//! One test per module code (PPCHK030–039) and cross-module code (060–062), on the
//! older tool's layout, which has a module of every template.

use super::support::{legacy, sqlite, with_auth};

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
    // Tags are documentation: another tag list is fine.
    let project = legacy();
    project.edit(
        &project.p("api/router.py"),
        "tags=[\"orders\"]",
        "tags=[\"shop\"]",
    );
    project.assert_clean();
}

#[test]
fn wiring_in_every_style_counts_by_its_effective_prefix() {
    // A router module imported whole and its `router` included, with the prefix set on
    // `APIRouter(...)` instead of on the include: the effective prefix is `/orders`.
    let project = legacy();
    let router = project.p("api/router.py");
    project.edit(
        &router,
        "from legacy_shop.modules.orders.router import router as orders_router",
        "from legacy_shop.modules.orders import router as orders_router",
    );
    project.edit(
        &router,
        "api_router.include_router(orders_router, prefix=\"/orders\", tags=[\"orders\"])",
        "api_router.include_router(orders_router.router)",
    );
    let module_router = project.p("modules/orders/router.py");
    let text = project.read(&module_router);
    let defined = text
        .lines()
        .find(|l| l.starts_with("router = APIRouter("))
        .expect("the module defines its router")
        .to_string();
    project.edit(
        &module_router,
        &defined,
        "router = APIRouter(prefix=\"/orders\", tags=[\"orders\"])",
    );
    project.assert_clean();
    // The same style with the wrong effective prefix is reported.
    project.edit(
        &module_router,
        "router = APIRouter(prefix=\"/orders\", tags=[\"orders\"])",
        "router = APIRouter(prefix=\"/order\")",
    );
    let report = project.assert_only("PPCHK034");
    assert!(
        report.issues[0].message.contains("\"/order\""),
        "{:#?}",
        report.issues
    );
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

#[test]
fn ppchk038_in_every_python_file_of_the_project() {
    // Files no other rule reads: each broken alone gives exactly one PPCHK038 there.
    let project = with_auth();
    for rel in [
        project.p("auth/router.py"),
        project.p("app.py"),
        "migrations/env.py".to_string(),
        "tests/integration/test_status.py".to_string(),
    ] {
        let original = project.read(&rel);
        project.write(&rel, format!("{original}\ndef broken(:\n    pass\n"));
        let report = project.assert_only("PPCHK038");
        assert_eq!(report.issues.len(), 1, "{rel}: {:#?}", report.issues);
        assert_eq!(report.issues[0].path.as_deref(), Some(rel.as_str()));
        assert!(
            report.issues[0].message.contains("column"),
            "{:#?}",
            report.issues
        );
        project.write(&rel, original);
    }
    project.assert_clean();
}

#[test]
fn python_3_12_syntax_is_not_a_syntax_error() {
    let project = sqlite();
    let rel = project.p("modules/status/services/status_service.py");
    let original = project.read(&rel);
    project.write(
        &rel,
        format!("{original}\n\ndef label(names: dict[str, int]) -> str:\n    return f\"{{names[\"a\"]}}\"\n"),
    );
    project.assert_clean();
}

#[test]
fn ppchk039_an_import_that_cannot_resolve_and_fix_adds_nothing_beside_it() {
    let project = legacy();
    let models = project.p("db/models.py");
    project.edit(
        &models,
        "from legacy_shop.modules.orders import model  # noqa: F401",
        "from legacy_shop.modules.orders import modle as orders_model  # noqa: F401",
    );
    let report = project.report();
    let codes: Vec<String> = report.issues.iter().map(|i| i.code.name()).collect();
    assert!(
        codes.contains(&"PPCHK039".to_string()),
        "{:#?}",
        report.issues
    );
    let broken = report
        .issues
        .iter()
        .find(|i| i.code.name() == "PPCHK039")
        .unwrap();
    assert_eq!(broken.line, Some(8));
    assert!(broken.message.contains("modle"), "{}", broken.message);
    let before = project.read(&models);
    let run = super::support::polepos(&project.root, &["check", "--fix"]);
    assert_eq!(
        run.code, 1,
        "a broken import stays an error: {}",
        run.stdout
    );
    assert_eq!(project.read(&models), before, "--fix adds no second import");
}

#[test]
fn imports_of_names_an_init_defines_resolve() {
    let project = sqlite();
    let init = project.p("modules/status/__init__.py");
    let original = project.read(&init);
    project.write(&init, format!("{original}\nHELPER = 1\n"));
    let router = project.p("api/router.py");
    project.edit(
        &router,
        "# polepos:router-imports",
        "from shop.modules.status import HELPER  # noqa: F401\n\n# polepos:router-imports",
    );
    project.assert_clean();
}

#[test]
fn a_hand_written_module_is_held_only_to_what_every_module_needs() {
    let project = sqlite();
    project.write(
        &project.p("modules/notes/__init__.py"),
        "\"\"\"Notes.\"\"\"\n",
    );
    project.write(
        &project.p("modules/notes/router.py"),
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n",
    );
    project.edit(
        &project.p("modules/__init__.py"),
        "    # polepos:module-exports",
        "    \"notes\",\n    # polepos:module-exports",
    );
    let router = project.p("api/router.py");
    project.edit(
        &router,
        "# polepos:router-imports",
        "from shop.modules.notes.router import router as notes_router\n\n# polepos:router-imports",
    );
    project.edit(
        &router,
        "# polepos:router-includes",
        "api_router.include_router(notes_router, prefix=\"/notes\", tags=[\"notes\"])\n# polepos:router-includes",
    );
    // Not listed: a warning, and no template file or test is demanded.
    assert_eq!(project.codes(), ["PPCHK018"]);
    // Its wiring is still checked.
    project.delete_line(
        &router,
        "api_router.include_router(notes_router, prefix=\"/notes\", tags=[\"notes\"])",
    );
    assert_eq!(project.codes(), ["PPCHK034", "PPCHK018"]);
}
