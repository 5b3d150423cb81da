"""The report as one self-contained HTML page: figures embedded as PNG data, no outside links."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from html import escape

import pandas as pd

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 18px; line-height: 1.45;
       color: #111; max-width: 1500px; margin: 0 auto; padding: 1em 2em;
       overflow-wrap: break-word; }
h1 { font-size: 2em; margin-bottom: 0.2em; }
h2 { font-size: 1.5em; margin-top: 2em; border-bottom: 2px solid #ddd; }
p.lead { font-size: 1.1em; color: #333; }
nav ol { columns: 2; }
.note { background: #fff4d6; border-left: 6px solid #E69F00; padding: 0.5em 1em; margin: 0.5em 0; }
figure { margin: 1em 0; }
figure img { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.95em; color: #333; margin-top: 0.3em; }
.wide { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.35em 0.6em; text-align: right; vertical-align: top; }
th { background: #f3f3f3; }
td.name, th.name { text-align: left; font-weight: bold; min-width: 8em; max-width: 18em;
                   overflow-wrap: anywhere; }
th.strategy { min-width: 7em; max-width: 14em; overflow-wrap: anywhere; }
td.value { overflow-wrap: anywhere; }
td.text { text-align: left; overflow-wrap: anywhere; }
td .diff { display: block; font-size: 0.85em; color: #333; white-space: nowrap; }
td.setting { text-align: left; min-width: 14em; max-width: 26em; }
td.setting code { overflow-wrap: anywhere; }
td.setting small { display: block; color: #444; }
td.best { background: #e8f0fb; font-weight: bold; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.4em;
          vertical-align: -0.1em; border: 1px solid #555; }
.summary { background: #eef4fb; border-left: 6px solid #0072B2; padding: 0.3em 1em;
           margin: 0.8em 0; }
.summary h2 { margin-top: 0.4em; }
.summary li { margin: 0.3em 0; }
.summary .rule { font-size: 0.85em; color: #333; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
"""


@dataclass
class Shown:
    """One figure of the report: its anchor, title, how to read it, and the PNG."""

    key: str
    title: str
    caption: str
    png: bytes


@dataclass
class Page:
    """Everything the page shows."""

    title: str
    description: str
    notes: list[str]
    headline: pd.DataFrame
    headline_caption: str
    strategies: list[str]
    colours: dict[str, str]
    baseline: str
    figures: list[Shown]
    settings: pd.DataFrame
    points: pd.DataFrame
    provenance: list[tuple[str, str]]
    study_text: str
    files: list[str] = field(default_factory=list)
    decomposition: pd.DataFrame = field(default_factory=pd.DataFrame)
    decomposition_caption: str = ""
    conclusion: list[str] = field(default_factory=list)
    conclusion_rule: str = ""  # how the conclusion words its certainty
    documents: list[tuple[str, str, str]] = field(default_factory=list)  # name, path, href


def render(page: Page) -> str:
    """Render the whole HTML document."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(page.title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(page.title)}</h1>",
        _conclusion(page),
        f'<p class="lead">{escape(page.description)}</p>' if page.description else "",
        *(f'<p class="note">{escape(n)}</p>' for n in page.notes),
        _contents(page),
        '<h2 id="headline">Headline</h2>',
        f"<p>{escape(page.headline_caption)}</p>",
        _headline(page),
        _decomposition(page),
        *(_figure(f) for f in page.figures),
        '<h2 id="settings">What differs between the strategies</h2>',
        _settings(page),
        _points(page),
        '<h2 id="provenance">Provenance</h2>',
        _provenance(page),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _conclusion(page: Page) -> str:
    """Return the executive summary and the links to the model's documents, or ""."""
    if not page.conclusion:
        return ""
    items = "".join(f"<li>{escape(line)}</li>" for line in page.conclusion)
    links = ", ".join(
        f'<a href="{escape(href)}">{escape(name)}</a> (<code>{escape(path)}</code>)'
        if href
        else f"{escape(name)} (<code>{escape(path)}</code> in the salesim source)"
        for name, path, href in page.documents
    )
    documents = f"<p>Read more: {links}.</p>" if links else ""
    rule = f'<p class="rule">{escape(page.conclusion_rule)}</p>' if page.conclusion_rule else ""
    return (
        f'<section class="summary" id="summary"><h2>Summary</h2><ul>{items}</ul>'
        f"{rule}{documents}</section>"
    )


def _contents(page: Page) -> str:
    items = [("headline", "Headline")]
    if not page.decomposition.empty:
        items.append(("decomposition", DECOMPOSITION))
    items += [(f.key, f.title) for f in page.figures]
    items += [("settings", "What differs between the strategies"), ("provenance", "Provenance")]
    links = "".join(f'<li><a href="#{k}">{escape(t)}</a></li>' for k, t in items)
    return f"<nav><ol>{links}</ol></nav>"


def _name(text: str) -> str:
    """Return a name as HTML text that may break after ``_``, ``.``, ``-`` and ``/``."""
    return re.sub(r"([_./-])(?=.)", r"\1<wbr>", escape(text))


def _swatch(page: Page, strategy: str) -> str:
    colour = page.colours.get(strategy, "#888")
    return f'<span class="swatch" style="background:{colour}"></span>'


def _headline(page: Page) -> str:
    frame = page.headline
    if frame.empty:
        return "<p>No finished runs.</p>"
    metrics = list(dict.fromkeys(frame["metric"]))
    first = frame.drop_duplicates("metric").set_index("metric")
    header = "".join(
        f"<th>{escape(first.loc[m, 'label'])}"
        + (f" ({escape(first.loc[m, 'unit'])})" if first.loc[m, "unit"] else "")
        + "</th>"
        for m in metrics
    )
    rows = []
    cells = frame.set_index(["scenario", "metric"])
    for strategy in page.strategies:
        tds = []
        for metric in metrics:
            if (strategy, metric) not in cells.index:
                tds.append("<td>-</td>")
                continue
            c = cells.loc[(strategy, metric)]
            mark = " ★" if c["best"] else ""
            arrow = ""
            if c["significant"]:
                arrow = " ▲" if c["better"] else " ▼"
            diff = (
                f'<span class="diff">Δ {escape(c["difference"])}{arrow}</span>'
                if c["difference"]
                else '<span class="diff">baseline</span>'
            )
            klass = ' class="best"' if c["best"] else ""
            tds.append(f"<td{klass}>{escape(c['value'])}{mark}{diff}</td>")
        name = f'<td class="name">{_swatch(page, strategy)}{_name(strategy)}</td>'
        rows.append(f"<tr>{name}{''.join(tds)}</tr>")
    return (
        f'<div class="wide"><table id="headline-table"><tr><th class="name">strategy</th>{header}'
        "</tr>" + "".join(rows) + "</table></div>"
    )


DECOMPOSITION = "Where the difference comes from"


def _decomposition(page: Page) -> str:
    """Return the section splitting each strategy's profit difference, or "" without one."""
    frame = page.decomposition
    if frame.empty:
        return ""
    strategies = [c for c in frame.columns if c not in {"part", "unit"}]
    unit = frame["unit"].iloc[0]
    header = "".join(f'<th class="strategy">{_swatch(page, s)}{_name(s)}</th>' for s in strategies)
    rows = "".join(
        f'<tr><td class="name">{escape(r["part"])}</td>'
        + "".join(f'<td class="value">{escape(str(r[s]))}</td>' for s in strategies)
        + "</tr>"
        for _, r in frame.iterrows()
    )
    return (
        f'<h2 id="decomposition">{DECOMPOSITION}</h2>'
        f"<p>{escape(page.decomposition_caption)}</p>"
        f'<div class="wide"><table id="decomposition-table"><tr><th class="name">part'
        f"{f' ({escape(unit)})' if unit else ''}</th>{header}</tr>{rows}</table></div>"
    )


def _figure(shown: Shown) -> str:
    data = base64.b64encode(shown.png).decode("ascii")
    return (
        f'<h2 id="{shown.key}">{escape(shown.title)}</h2><figure>'
        f'<img src="data:image/png;base64,{data}" alt="{escape(shown.title)}">'
        f"<figcaption>{escape(shown.caption)}</figcaption></figure>"
    )


def _settings(page: Page) -> str:
    frame = page.settings
    if frame.empty:
        return "<p>The strategies' scenarios do not differ (only their names).</p>"
    strategies = [c for c in frame.columns if c not in {"parameter", "unit", "meaning"}]
    header = "".join(f'<th class="strategy">{_swatch(page, s)}{_name(s)}</th>' for s in strategies)
    rows = []
    for _, r in frame.iterrows():
        values = "".join(f'<td class="value">{escape(str(r[s]))}</td>' for s in strategies)
        unit = f" [{escape(r['unit'])}]" if r["unit"] and r["unit"] != "-" else ""
        rows.append(
            f'<tr><td class="setting"><code>{_name(r["parameter"])}</code>{unit}'
            f"<small>{escape(r['meaning'])}</small></td>{values}</tr>"
        )
    return (
        '<div class="wide"><table id="settings-table"><tr><th class="name">parameter [unit]</th>'
        f"{header}</tr>" + "".join(rows) + "</table></div>"
    )


def _points(page: Page) -> str:
    if page.points.empty or len(page.points.columns) < 2:
        return ""
    header = "".join(f"<th>{escape(str(c))}</th>" for c in page.points.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in r) + "</tr>"
        for r in page.points.itertuples(index=False)
    )
    return (
        "<h3>The sweep's points</h3><p>Every strategy ran at every point; the sections above "
        "that show one point say which (choose another with <code>--point</code>).</p>"
        f'<div class="wide"><table><tr>{header}</tr>{rows}</table></div>'
    )


def _provenance(page: Page) -> str:
    rows = "".join(
        f'<tr><th class="name">{escape(k)}</th><td class="text">{escape(v)}</td></tr>'
        for k, v in page.provenance
    )
    files = ""
    if page.files:
        listed = ", ".join(f"<code>{escape(f)}</code>" for f in page.files)
        files = f"<p>The figures are also stored as PNG files next to this page: {listed}.</p>"
    text = (
        "<details><summary>The study file as written (the command line may have changed "
        "its replications, years or settings: the values used are in the table above)"
        f"</summary><pre>{escape(page.study_text)}</pre></details>"
        if page.study_text
        else ""
    )
    return f'<div class="wide"><table id="provenance-table">{rows}</table></div>{files}{text}'
