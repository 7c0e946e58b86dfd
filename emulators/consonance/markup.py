"""Small HTML <-> Markdown conversions for marketing texts (Consonance stores Markdown, serves both)."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")
_PARA = re.compile(r"<p>(.*?)</p>", re.S)
_STRONG_MD = re.compile(r"\*\*(.+?)\*\*")
_EM_MD = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
_LINK_MD = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


def strip_html(text: str) -> str:
    """Tags removed, entities decoded, paragraphs separated by a blank line."""
    text = text.replace("</p><p>", "</p>\n\n<p>")
    return html.unescape(_TAG.sub("", text)).strip()


def html_to_markdown(text: str) -> str:
    if not text:
        return ""
    out = (
        text.replace("<em>", "*")
        .replace("</em>", "*")
        .replace("<strong>", "**")
        .replace("</strong>", "**")
    )
    paragraphs = _PARA.findall(out) or [out]
    return "\n\n".join(html.unescape(_TAG.sub("", p)).strip() for p in paragraphs)


def markdown_to_html(text: str) -> str:
    if not text or not text.strip():
        return ""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    out = []
    for p in paragraphs:
        p = html.escape(p, quote=False)
        p = _LINK_MD.sub(r'<a href="\2">\1</a>', p)
        p = _STRONG_MD.sub(r"<strong>\1</strong>", p)
        p = _EM_MD.sub(r"<em>\1</em>", p)
        out.append("<p>" + p.replace("\n", "<br>") + "</p>")
    return "".join(out)
