"""Job description downloads show what people typed as text, never as markup (issue 9,
bug 8): the .md parsed with a real CommonMark renderer (markdown-it-py, tables and
strikethrough on), the .txt with an HTML parser; one Content-Type each."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from interviewloop.cli import DEFAULT_BANK
from interviewloop.requisitions.job_description import job_description, load_templates
from interviewloop.requisitions.models import PRODUCTION_SURFACE, Requisition
from tests.factories import ANSWERS, make_requisition

HOSTILE = [
    "# A heading inside an answer",
    "## Second level ##",
    "Latency | cost |\n|---|---|\n| 200ms | low |",
    "<script>alert('jd')</script>",
    "<div onclick=\"x()\">a block of HTML</div>",
    "<!-- a comment --> and <img src=x onerror=alert(1)>",
    "*bold* and **strong** and _em_ and __em__",
    "`code` and ```fence",
    "[a link](https://evil.example) and ![an image](https://evil.example/x.png)",
    "[ref]: https://evil.example",
    "<https://evil.example> and &lt;b&gt; entity and &amp;",
    "~~struck~~ and a \\*backslash\\*",
    "- a list item",
    "+ another",
    "1. ordered",
    "12) ordered too",
    "> a quote",
    "---",
    "===",
    "***",
    "    indented code",
]

ALLOWED_BLOCKS = {"heading_open", "heading_close", "paragraph_open", "paragraph_close", "inline",
                  "bullet_list_open", "bullet_list_close", "list_item_open", "list_item_close"}
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _typed(value: str) -> dict[str, object]:
    """Every field a person types into, starting with ``value`` (then its own marker)."""
    texts = {name: f"{value} {name}" for name in ("ships", "owns_after_launch",
                                                  "success_measures")}
    surface = {name: f"{value} {name}" for name in PRODUCTION_SURFACE}
    return {"title": f"{value} title", "team": f"{value} team", **texts, **surface}


def _document(**values):
    requisition = Requisition(**{"level": "senior", "comp_currency": "EUR", "comp_min": 90_000,
                                 "comp_max": 120_000, **ANSWERS, **values})
    templates = load_templates(DEFAULT_BANK / "job_descriptions.yaml")
    return job_description(requisition, templates[requisition.level])


def _rendered_markdown(markdown: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(heading tag, its text) for each heading, and the text of every block, as a
    CommonMark renderer shows them; fails on any token that is not plain structure."""
    tokens = MARKDOWN.parse(markdown)
    assert {t.type for t in tokens} <= ALLOWED_BLOCKS, {t.type for t in tokens} - ALLOWED_BLOCKS
    headings, texts = [], []
    for index, token in enumerate(tokens):
        if token.type != "inline":
            continue
        assert {c.type for c in token.children} <= {"text", "softbreak"}, [
            (c.type, c.content) for c in token.children]
        text = "".join(c.content for c in token.children)
        texts.append(text)
        if tokens[index - 1].type == "heading_open":
            headings.append((tokens[index - 1].tag, text))
    return headings, texts


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_renders_what_was_typed_as_text(value):
    values = _typed(value)
    document = _document(**values)
    markdown = document.as_markdown()
    headings, texts = _rendered_markdown(markdown)
    assert headings == [("h1", _one_line(values["title"]))] + [
        ("h2", section.heading) for section in document.sections]
    everything = "\n".join(texts)
    for name, typed in values.items():
        assert _one_line(typed) in everything, (name, markdown)
    html = MARKDOWN.render(markdown)
    assert "<script" not in html and "<a " not in html and "<table" not in html


def test_markdown_pasted_paragraphs_stay_paragraphs():
    ships = ("First we ship this.\n\n# Not a heading\n\n<div>\n\nnot HTML</div>\n\n| a |\n|---|"
             "\n\n---\n\n***\n\n___\n\n- \n\n1.")
    document = _document(title="Senior AI Engineer", team="Search", ships=ships,
                         owns_after_launch="===", success_measures="-")
    headings, texts = _rendered_markdown(document.as_markdown())
    assert [tag for tag, _text in headings].count("h1") == 1
    for paragraph in ("# Not a heading", "<div>", "not HTML</div>", "| a | |---|", "---", "***",
                      "___", "-", "1.", "==="):
        assert paragraph in texts, (paragraph, texts)


class _Markup(HTMLParser):
    """Everything an HTML parser would read as markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found.append(f"<{tag}>")

    def handle_endtag(self, tag):
        self.found.append(f"</{tag}>")

    def handle_comment(self, data):
        self.found.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.found.append(decl)

    def handle_pi(self, data):
        self.found.append(data)

    def unknown_decl(self, data):
        self.found.append(data)


@pytest.mark.parametrize("value", [*HOSTILE, "a <b and c", "x</3 and <?php echo 1 ?>",
                                   "<!-- never closed", "<!DOCTYPE html>", "</p>"])
def test_text_has_no_markup_an_html_renderer_would_read(value):
    body = _document(**_typed(value)).as_text()
    parser = _Markup()
    parser.feed(body)
    parser.close()
    assert parser.found == [], (parser.found, body)


def test_text_keeps_the_words_between_tags_and_plain_comparisons():
    document = _document(title="Senior AI Engineer", team="Search",
                         ships="<p>We ship <b>answers</b><br>to agents</p>",
                         success_measures="p95 latency < 2 s and cost > 0 & <= 1 cent")
    body = document.as_text()
    assert "\nWe ship answers to agents\n" in body
    assert "\np95 latency < 2 s and cost > 0 & <= 1 cent\n" in body
    assert "# A heading" in _document(title="T", team="X", ships="# A heading").as_text()


# --- through the web ----------------------------------------------------------------------

@pytest.fixture
def hostile_requisition(db_session, make_user):
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    requisition = make_requisition(
        db_session, manager, recruiter, title="Lead <b>AI</b> # Engineer", team="*Platform*",
        answers={**ANSWERS, "ships": "<script>alert('jd')</script> | a | b |"},
        surface={"surface_system": "[click](https://evil.example)"})
    return requisition, recruiter


@pytest.mark.parametrize(("fmt", "content_type"), [("txt", "text/plain; charset=utf-8"),
                                                   ("md", "text/markdown; charset=utf-8")])
def test_downloads_send_one_content_type_and_a_filename(login, hostile_requisition, fmt,
                                                        content_type):
    requisition, recruiter = hostile_requisition
    response = login(recruiter).get(f"/requisitions/{requisition.id}/job-description.{fmt}")
    assert response.status_code == 200
    assert response.headers.getlist("Content-Type") == [content_type]
    assert response.headers.getlist("Content-Disposition") == [
        f'attachment; filename="lead-b-ai-b-engineer-{requisition.id}.{fmt}"']
    body = response.get_data(as_text=True)
    if fmt == "md":
        headings, texts = _rendered_markdown(body)
        assert headings[0] == ("h1", "Lead <b>AI</b> # Engineer")
        assert "<script>alert('jd')</script> | a | b |" in texts
        assert "System: [click](https://evil.example)" in texts
    else:
        assert "<script" not in body and "<b>" not in body
        assert body.startswith("Lead AI # Engineer\n")


def test_the_preview_is_escaped_html(login, hostile_requisition):
    requisition, recruiter = hostile_requisition
    page = login(recruiter).get(f"/requisitions/{requisition.id}/job-description").get_data(
        as_text=True)
    assert "&lt;script&gt;alert(&#39;jd&#39;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "Lead &lt;b&gt;AI&lt;/b&gt; # Engineer" in page
    assert '<a href="https://evil.example"' not in page
