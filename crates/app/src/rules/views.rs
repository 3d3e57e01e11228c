//! The rule register's template structs.

use askama::Template;

use super::HoursFreed;
use super::model::{Flag, Review, ReviewItem, Rule};
use crate::platform::layout::{FormErrors, Page};

/// A rule as the register's table shows it.
pub struct RuleRowView {
    pub rule: Rule,
    pub status: String,
    pub origin: String,
    pub owner: String,
}

#[derive(Template)]
#[template(path = "rules/list.html")]
pub struct ListTemplate {
    pub page: Page,
    pub rows: Vec<RuleRowView>,
    pub hours: HoursFreed,
    pub total_hours: i64,
    pub status: String,
    pub statuses: Vec<(String, String)>,
    pub may_manage: bool,
    pub notice: Option<String>,
    pub import_errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "rules/form.html")]
pub struct FormTemplate {
    pub page: Page,
    pub title: String,
    pub text: String,
    pub origin: String,
    pub reference: String,
    pub owner_unit: String,
    pub hours: String,
    pub value_statement: String,
    pub roles: Vec<(String, String, bool)>,
    pub units: Vec<(String, String)>,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "rules/rule.html")]
pub struct RuleTemplate {
    pub page: Page,
    pub rule: Rule,
    pub status: String,
    pub origin: String,
    pub owner: String,
    pub burdens: String,
    pub flags: Vec<Flag>,
    /// When, who, decision label, reason, hours.
    pub decisions: Vec<(String, String, String, String, i64)>,
    pub may_flag: bool,
    pub may_manage: bool,
    pub errors: FormErrors,
    pub notice: Option<String>,
    /// Open reviews the rule is in, as (id, title).
    pub reviews: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "rules/reviews.html")]
pub struct ReviewsTemplate {
    pub page: Page,
    pub reviews: Vec<(Review, String)>,
    pub may_manage: bool,
    pub title: String,
    pub deadline: String,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "rules/review.html")]
pub struct ReviewTemplate {
    pub page: Page,
    pub review: Review,
    pub deadline: String,
    pub open: bool,
    /// Item, whether the reader may justify it.
    pub items: Vec<(ReviewItem, bool)>,
    pub may_manage: bool,
    pub notice: Option<String>,
    pub errors: FormErrors,
}

impl RuleTemplate {
    pub fn decision_choices(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("keep", self.page.tr.t("rule-decision-keep")),
            ("simplify", self.page.tr.t("rule-decision-simplify")),
        ];
        if self.rule.origin == super::model::Origin::Local {
            out.push(("remove", self.page.tr.t("rule-decision-remove")));
        }
        out
    }
}

impl FormTemplate {
    pub fn origins(&self) -> Vec<(String, String)> {
        vec![
            ("local".into(), self.page.tr.t("rule-origin-local")),
            ("national".into(), self.page.tr.t("rule-origin-national")),
        ]
    }
}
