"""One glossary defines each headline figure once: docs/glossary.md is forecaster.glossary's
text, and the dashboard and the review pack's HTML link to and show the same definitions."""

from __future__ import annotations

from pathlib import Path

from forecaster import glossary
from tests import dashboard_support as support

DOC = Path(__file__).resolve().parents[1] / "docs" / "glossary.md"
HEADLINES = (
    "Ceiling date",
    "TCO P10 / P50 / P90",
    "Waste candidates",
    "Efficiency drift",
    "Bridge",
    "Break-even month",
)


def test_docs_glossary_is_the_engines_text():
    assert DOC.read_text() == glossary.markdown(), (
        'regenerate: python -c "from forecaster import glossary; '
        "open('docs/glossary.md','w').write(glossary.markdown())\""
    )


def test_each_headline_figure_is_defined_once():
    terms = [t for t, _, _ in glossary.TERMS]
    assert len(terms) == len(set(terms))
    assert set(HEADLINES) <= set(terms)
    text = glossary.markdown()
    assert "busiest hour" in text and "1,000 paths and seed 0" in text


def test_the_pack_html_links_the_glossary():
    from forecaster.review.html_out import render_html
    from tests.review_helpers import sample_pack

    page = render_html(sample_pack())
    assert '<a href="#glossary">Glossary</a>' in page and '<section id="glossary">' in page
    for term in HEADLINES:
        assert f'id="glossary-{glossary.anchor(term)}"' in page


def test_the_dashboard_has_a_glossary_page_in_its_navigation(tmp_path_factory):
    paths = support.session_sample(tmp_path_factory)
    app = support.app_for(paths)
    page = support.page("glossary")
    layout = page.layout()
    ids = {getattr(c, "id", None) for c in layout.children}
    for term in HEADLINES:
        assert f"glossary-{glossary.anchor(term)}" in ids
    response = app.server.test_client().get("/glossary")
    assert response.status_code == 200
