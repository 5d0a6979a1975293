"""Text from data files or from a user, shown literally: the project's one escape helper.

Streamlit renders titles, captions, alerts, labels, tooltips, tabs and expanders as Markdown;
plotly renders a subset of HTML (<a href>, <b>, <br>, entities) in labels, legends and hover
text. Data text passes md_escape() on its way into the first and chart_text() into the second
(every chart drawn by the app goes through charts.escape_figure, which applies it). Tables,
selectbox options, text inputs and code blocks show text as it is and need neither.
"""

from __future__ import annotations

import html
import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")
# GitHub-flavoured Markdown turns http://…, www.… and a@b.c in plain text into links after
# parsing, escapes or not; an invisible word joiner after the scheme, www or @ stops it.
_JOINER = "\u2060"
_SCHEME = re.compile(r"(?i)\b(https?|mailto|xmpp):")
_WWW = re.compile(r"(?i)\b(www)(?=\.)")


def md_escape(text) -> str:
    """TEXT inside a Markdown label (caption, heading, alert, tooltip), shown literally: no
    emphasis, link, image, HTML or web address that becomes a link."""
    text = _SCHEME.sub(r"\1:" + _JOINER, str(text))
    text = _WWW.sub(r"\1" + _JOINER, text).replace("@", "@" + _JOINER)
    return _MARKDOWN.sub(r"\\\1", text)


def chart_text(text) -> str:
    """TEXT as a plotly label or hover text shows it: & < > as entities, never a tag."""
    return html.escape(str(text), quote=False)


def chart_value(label) -> str:
    """The data text a chart label stands for (a clicked point's x or y), chart_text undone."""
    return html.unescape(str(label))
