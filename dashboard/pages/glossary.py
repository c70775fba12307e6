"""Glossary: each headline figure defined once (``forecaster.glossary``, the text of
docs/glossary.md), with the engine function every surface takes it from."""

from __future__ import annotations

import dash
from dash import html

from forecaster import glossary

dash.register_page(__name__, path="/glossary", name="Glossary", order=9)


def layout(**_: str) -> html.Div:
    items = []
    for term, text, source in glossary.TERMS:
        items.append(html.H3(term, id=f"glossary-{glossary.anchor(term)}"))
        items.append(html.P(text))
        items.append(html.P(f"Computed by {source}.", className="note"))
    intro = (
        "Each figure shown on more than one surface (this dashboard, the CLI and its JSON, "
        "the review pack) comes from one engine function; the surfaces only format it. "
        "The same text is docs/glossary.md."
    )
    return html.Div([html.H2(glossary.TITLE), html.P(intro, className="note"), *items])
