//! Weaknesses of the project's own foundation, reported as warnings (PPCHK070–071).
//!
//! Projects made by the older poleposition tool decode access tokens without requiring
//! `exp` and default `APP_DEBUG` to true (SPEC §4.7). Neither breaks the wiring, so both
//! are warnings: `check` still passes. The files are read with the real parser
//! ([`crate::python::foundation`]); a warning is given only when the code says so plainly
//! (a computed `options` argument or default is given the benefit of the doubt), so a
//! project polepos generated never gets one.

use super::Issue;
use super::codes::Code;
use super::facts::Facts;
use super::source::Source;
use crate::python::foundation;

pub(crate) fn check(facts: &Facts, issues: &mut Vec<Issue>) {
    let token_path = facts.pkg_path("auth/token.py");
    if let Source::Text(text) = Source::read(&facts.root.join(&token_path))
        && let Some(line) = foundation::decode_without_required_exp(&text)
    {
        issues.push(
            Issue::new(
                Code::TokenExpNotRequired,
                "`decode_access_token` accepts tokens without an `exp` claim (they never expire)",
            )
            .at(token_path, Some(line)),
        );
    }
    let settings_path = facts.pkg_path("settings.py");
    if let Source::Text(text) = Source::read(&facts.root.join(&settings_path))
        && let Some(line) = foundation::debug_on_by_default(&text)
    {
        issues.push(
            Issue::new(
                Code::DebugOnByDefault,
                "`app_debug` defaults to true: APP_DEBUG is on unless a deployment turns it off",
            )
            .at(settings_path, Some(line)),
        );
    }
}
