//! The story bank's template structs, and how a story's text becomes HTML.

use askama::Template;

use super::model::{Story, StoryHit, StoryState};
use crate::platform::layout::{FormErrors, Page};
use crate::platform::search::escape;
use crate::platform::site::model::CoreTask;

/// The list with its filters.
#[derive(Template)]
#[template(path = "stories/list.html")]
pub struct ListTemplate {
    pub page: Page,
    pub hits: Vec<StoryHit>,
    pub total: i64,
    pub core_tasks: Vec<CoreTask>,
    pub tags: Vec<(String, i64)>,
    pub q: String,
    pub core_task: String,
    pub tag: String,
    pub may_write: bool,
    pub errors: FormErrors,
    pub page_number: i64,
    pub pages: i64,
    pub page_link: String,
}

/// One story.
#[derive(Template)]
#[template(path = "stories/story.html")]
pub struct StoryTemplate {
    pub page: Page,
    pub story: Story,
    pub body: String,
    pub unit_name: Option<String>,
    pub core_tasks: Vec<String>,
    pub may_edit: bool,
    pub may_publish: bool,
    pub saved: bool,
}

/// The form to write or edit a story.
#[derive(Template)]
#[template(path = "stories/form.html")]
pub struct FormTemplate {
    pub page: Page,
    /// Where the form posts.
    pub action: String,
    pub title: String,
    pub body: String,
    pub tags: String,
    pub chosen: Vec<String>,
    pub core_tasks: Vec<CoreTask>,
    pub unit_id: String,
    pub units: Vec<(String, String)>,
    pub public: bool,
    pub errors: FormErrors,
    pub editing: bool,
}

impl StoryTemplate {
    pub fn states(&self) -> [StoryState; 3] {
        StoryState::ALL
    }
}

/// A story's text as HTML: paragraphs at blank lines, lines starting with "- " as a
/// list, other line breaks kept; everything escaped (no markup from the writer is used).
pub fn body_html(text: &str) -> String {
    let mut out = String::new();
    for block in text.replace("\r\n", "\n").split("\n\n") {
        let lines: Vec<&str> = block.lines().map(str::trim_end).filter(|l| !l.trim().is_empty()).collect();
        if lines.is_empty() {
            continue;
        }
        if lines.iter().all(|l| l.trim_start().starts_with("- ")) {
            out.push_str("<ul>");
            for l in lines {
                out.push_str("<li>");
                out.push_str(&escape(l.trim_start().trim_start_matches("- ")));
                out.push_str("</li>");
            }
            out.push_str("</ul>");
        } else {
            out.push_str("<p>");
            out.push_str(&lines.iter().map(|l| escape(l)).collect::<Vec<_>>().join("<br>"));
            out.push_str("</p>");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_becomes_paragraphs_and_lists_and_nothing_else() {
        let html = body_html("Første <script>alert(1)</script> linje\nanden linje\n\n- et punkt\n- & et til\n\nSidst.");
        assert_eq!(
            html,
            "<p>Første &lt;script&gt;alert(1)&lt;/script&gt; linje<br>anden linje</p>\
             <ul><li>et punkt</li><li>&amp; et til</li></ul><p>Sidst.</p>"
        );
    }
}
