"""The report's "Launch readiness" section, from ``marts.mart_launch_readiness``.

Campaign readiness is a state as of ByteNite's current snapshot, not a series over dates, so the
section is drawn here in HTML: every required deliverable of the titles published in the
readiness window, at-risk rows first (blocked, then the least advanced state, then the nearest
publication), and the count of rows in each state. Both come from the SQL shown beside them,
which ``make sql`` runs as it is. The page's season and imprint filters hide the other titles'
rows and re-count (``report.js``); its channel and date range do not apply to a state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any

#: Every state of the mart, most advanced first (the counts list each, zero included).
STATES = (
    "placed",
    "published",
    "ready",
    "in production",
    "requested",
    "not requested",
    "blocked",
)

ROWS_SQL = """select title, deliverable_type, audio_isbn13, first_publication_date,
       days_to_publication, state, channels, blocked_reason, at_risk, risk_reason, work_id,
       season_name, imprint_name
from marts.mart_launch_readiness
order by at_risk desc, state_rank, days_to_publication, title, work_id, deliverable_type,
         audio_isbn13 nulls first"""

COUNTS_SQL = """select state, count(*) as deliverables, count(*) filter (where at_risk) as at_risk
from marts.mart_launch_readiness
group by state
order by min(state_rank) desc"""


@dataclass
class Readiness:
    as_of: date | None = None
    #: (days back, days ahead) of the window, from ref.windows
    window: tuple[int, int] | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: state -> (deliverables, at risk), every state of STATES
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)


def load(con: Any) -> Readiness:
    """Read the mart (on a read-only connection to the warehouse)."""
    out = Readiness()
    window = con.execute(
        "select readiness_days_back, readiness_days_ahead from ref.windows"
    ).fetchall()
    out.window = (int(window[0][0]), int(window[0][1])) if window else None
    as_of = con.execute("select max(as_of_date) from marts.mart_launch_readiness").fetchall()
    out.as_of = as_of[0][0] if as_of else None
    cols = [
        "title",
        "deliverable",
        "audio_isbn13",
        "publication",
        "days",
        "state",
        "channels",
        "blocked_reason",
        "at_risk",
        "risk_reason",
        "work_id",
        "season",
        "imprint",
    ]
    out.rows = [dict(zip(cols, r, strict=True)) for r in con.execute(ROWS_SQL).fetchall()]
    counts = {state: (int(n), int(risk)) for state, n, risk in con.execute(COUNTS_SQL).fetchall()}
    out.counts = {state: counts.get(state, (0, 0)) for state in STATES}
    return out


def _label(code: str) -> str:
    return code.replace("_", " ").lower().capitalize()


def _state(row: dict[str, Any]) -> str:
    if row["state"] == "placed" and row["channels"]:
        return "placed (" + ", ".join(row["channels"]) + ")"
    if row["state"] == "blocked" and row["blocked_reason"]:
        return f"blocked ({row['blocked_reason']})"
    return str(row["state"])


def render(r: Readiness) -> str:
    """The section's HTML."""
    back, ahead = r.window or (None, None)
    window = (
        f"titles first published from {back} days before to {ahead} days after "
        f"{r.as_of or 'the current snapshot'}"
        if back is not None
        else "the readiness window"
    )
    counts = "".join(
        f'<tr data-state="{escape(state)}"><td>{escape(state)}</td>'
        f'<td class="num n">{n:,}</td><td class="num risk">{risk:,}</td></tr>'
        for state, (n, risk) in r.counts.items()
    )
    rows = "".join(
        f'<tr class="{"at-risk" if row["at_risk"] else "on-track"}" '
        f'data-state="{escape(row["state"])}" data-season="{escape(row["season"] or "")}" '
        f'data-imprint="{escape(row["imprint"] or "")}">'
        f"<td>{escape(row['title'] or '(untitled)')}</td>"
        f"<td>{escape(_label(row['deliverable']))}"
        f"{' · audio ' + escape(row['audio_isbn13']) if row['audio_isbn13'] else ''}</td>"
        f'<td>{row["publication"]}</td><td class="num">{row["days"]}</td>'
        f'<td class="state">{escape(_state(row))}</td>'
        f'<td class="risk">{escape(row["risk_reason"] or "")}</td></tr>'
        for row in r.rows
    )
    at_risk = sum(row["at_risk"] for row in r.rows)
    body = (
        '<table id="readiness-counts"><thead><tr><th>state</th><th class="num">deliverables</th>'
        f'<th class="num">at risk</th></tr></thead><tbody>{counts}</tbody></table>'
        f'<p class="blurb" id="readiness-note">{at_risk:,} of {len(r.rows):,} required '
        "deliverables at risk.</p>"
        '<table id="readiness-rows"><thead><tr><th>title</th><th>deliverable</th>'
        '<th>first publication</th><th class="num">days to go</th><th>state</th>'
        f"<th>at risk because</th></tr></thead><tbody>{rows}</tbody></table>"
        if r.rows
        else f'<p class="empty" id="readiness-empty">No title is in the readiness window ({escape(window)}).</p>'
    )
    sql = (
        '<div class="tools"><details class="sql"><summary>SQL</summary><p class="blurb">The '
        "table and the counts, from the warehouse; run them in <code>make sql</code>.</p>"
        f'<pre class="sql" id="readiness-sql">{escape(ROWS_SQL)};\n\n{escape(COUNTS_SQL)};</pre>'
        "</details></div>"
    )
    return (
        '<section data-section="readiness"><h2>Launch readiness</h2>'
        f'<p class="blurb">Every required deliverable of the {escape(window)} '
        "(<code>marts.mart_launch_readiness</code>), at-risk rows first: blocked, then the least "
        "advanced, then the nearest publication. A state as of ByteNite's current snapshot: the "
        "season and imprint filters above select titles here; channel and dates do not apply."
        f"</p>{sql}{body}</section>"
    )
