"""Page furniture in the GOV.UK style: one inline stylesheet, every value escaped.

Colours are GOV.UK's and pass WCAG AA contrast with their text; a RAG rating or OPEL level is
always written out as text beside its colour, never shown by colour alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

NAV = (
    ("index.html", "Overview"),
    ("ascof.html", "ASCOF measures"),
    ("kpi.html", "Business-plan KPIs"),
    ("opel.html", "OPEL status"),
    ("quality.html", "Data quality"),
    ("checks.html", "Check report"),
)

# Tag colours (text on background): GOV.UK tag palette, all at least 4.5:1.
TAG_STYLES = {
    "green": ("#005a30", "#cce2d8"),
    "amber": ("#6e3619", "#fcd6c3"),
    "red": ("#2a0b06", "#f4cdc6"),
    "black": ("#ffffff", "#0b0c0c"),
    "grey": ("#383f43", "#eeefef"),
}
RAG_TAG = {"Green": "green", "Amber": "amber", "Red": "red"}
OPEL_TAG = {1: "green", 2: "amber", 3: "red", 4: "black"}

STYLE = """
body{font-family:Arial,Helvetica,sans-serif;color:#0b0c0c;background:#fff;margin:0;
line-height:1.4;font-size:16px}
header{background:#0b0c0c;color:#fff;padding:10px 24px}
header a{color:#fff}
nav ul{list-style:none;margin:0;padding:0 24px;border-bottom:1px solid #b1b4b6}
nav li{display:inline-block;margin-right:20px;padding:10px 0}
nav a{color:#1d70b8}
nav a[aria-current]{color:#0b0c0c;font-weight:bold;text-decoration:none}
main{padding:8px 24px 40px;max-width:1100px}
h1{font-size:32px;margin:20px 0 10px}h2{font-size:24px;margin:30px 0 10px}
h3{font-size:19px;margin:20px 0 8px}
table{border-collapse:collapse;margin:10px 0 20px;font-size:15px}
th,td{border-bottom:1px solid #b1b4b6;padding:6px 10px 6px 0;text-align:left;
vertical-align:top}
td.num,th.num{text-align:right}
.tag{display:inline-block;padding:2px 8px;font-weight:bold;font-size:14px;white-space:nowrap}
.banner{border:5px solid #1d70b8;padding:10px 15px;margin:15px 0}
.banner.failed{border-color:#d4351c}
.hint{color:#505a5f}
.no-chart{color:#505a5f;font-style:italic}
a{color:#1d70b8}a:focus{outline:3px solid #fd0;background:#fd0}
"""


def text(value: Any) -> str:
    """Any value as escaped text; None as an en dash."""
    if value is None:
        return "\u2013"
    if isinstance(value, float):
        return escape(f"{value:,.1f}" if abs(value) >= 1000 else f"{value:g}")
    return escape(str(value))


def tag(label: str, colour: str, **data: Any) -> str:
    foreground, background = TAG_STYLES[colour]
    attributes = "".join(f' data-{escape(key)}="{escape(str(value))}"'
                         for key, value in data.items())
    return (f'<strong class="tag" style="color:{foreground};background:{background}"'
            f"{attributes}>{escape(label)}</strong>")


def rag_tag(rag: str | None, **data: Any) -> str:
    label = rag or "No rating"
    return tag(label, RAG_TAG.get(label, "grey"), **data)


def opel_tag(level: int | None, status: str | None, **data: Any) -> str:
    if level is None:
        return tag("No status", "grey", **data)
    return tag(f"OPEL {level} {status or ''}".strip(), OPEL_TAG.get(level, "grey"), **data)


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], caption: str | None = None,
          numeric: Sequence[int] = ()) -> str:
    """Cells are HTML already (escape with ``text``); headers are escaped here."""
    head = "".join(
        f'<th scope="col"{" class=num" if index in numeric else ""}>{escape(header)}</th>'
        for index, header in enumerate(headers)
    )
    body = "".join(
        "<tr>" + "".join(
            f'<td{" class=num" if index in numeric else ""}>{cell}</td>'
            for index, cell in enumerate(row)
        ) + "</tr>"
        for row in rows
    )
    caption_html = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{caption_html}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(file_name: str, title: str, banner: str, body: str) -> str:
    links = "".join(
        f'<li><a href="{href}"{" aria-current=page" if href == file_name else ""}>'
        f"{escape(label)}</a></li>"
        for href, label in NAV
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # No request may leave the page: the policy blocks anything not inline.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape(title)} - ASC warehouse</title><style>{STYLE}</style></head><body>"
        '<header><a href="index.html"><strong>ASC warehouse</strong></a> '
        "Adult Social Care performance</header>"
        f'<nav aria-label="Pages"><ul>{links}</ul></nav>'
        f"<main>{banner}<h1>{escape(title)}</h1>{body}</main></body></html>\n"
    )
