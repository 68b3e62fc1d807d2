"""Thai and English for the staff front: the language comes from the `lang` cookie (the toggle sets
it; Thai by default), `text(key, lang)` looks a phrase up in `web.texts.TEXTS` (other modules add their
own with `add_texts`), and people's dates are shown in the Buddhist era in Bangkok time, in both
languages ("24 พ.ย. 2569 16:30" / "24 Nov 2569 16:30"). `install(env)` puts `t`, the date filters and
the status and clock labels into a Jinja environment."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import Request
from jinja2 import Environment, pass_context

from db.queries import aware
from db.subdistricts import area_label
from web.texts import TEXTS
from workflows.domain import calendar
from workflows.domain.transitions import STATUS_LABELS

LANGS = ("th", "en")
COOKIE = "lang"
BANGKOK = calendar.BANGKOK


def language(request: Request) -> str:
    lang = request.cookies.get(COOKIE, "th")
    return lang if lang in LANGS else "th"


def add_texts(texts: dict[str, tuple[str, str]]) -> None:
    """Another module's phrases (key -> (Thai, English)); a key used twice must mean the same."""
    for key, pair in texts.items():
        if TEXTS.get(key, pair) != pair:
            raise ValueError(f"text {key!r} is already defined differently")
        TEXTS[key] = pair


def text(key: str, lang: str) -> str:
    th, en = TEXTS[key]
    return th if lang == "th" else en


def _read(t: date | datetime) -> date | datetime:
    return aware(t) if isinstance(t, datetime) else t  # SQLite's datetimes come back naive (UTC)


def be_date(d: date | datetime | None, lang: str = "th") -> str:
    """ "24 พ.ย. 2569" / "24 Nov 2569"."""
    return "" if d is None else calendar.format_date(_read(d), lang)


def be_datetime(t: datetime | None, lang: str = "th") -> str:
    """ "24 พ.ย. 2569 16:30" / "24 Nov 2569 16:30", in Bangkok time."""
    return "" if t is None else calendar.format_date_time(aware(t), lang)


def be_date_long(d: date | datetime | None) -> str:
    """The official-letter date: "24 พฤศจิกายน 2569"."""
    return "" if d is None else calendar.format_date_long_th(_read(d))


def duration(seconds: int | float | None, lang: str = "th") -> str:
    """A span of time in days and hours ("3 วัน 4 ชม." / "3 d 4 h")."""
    if seconds is None:
        return ""
    seconds = abs(int(seconds))
    days, hours, minutes = seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60
    unit = ("วัน", "ชม.", "นาที") if lang == "th" else ("d", "h", "min")
    if days:
        return f"{days} {unit[0]} {hours} {unit[1]}"
    if hours:
        return f"{hours} {unit[1]} {minutes} {unit[2]}"
    return f"{minutes} {unit[2]}"


def status_label(status: str | None, lang: str = "th") -> str:
    if not status:
        return ""
    th, en = STATUS_LABELS.get(status, (status, status))
    return th if lang == "th" else en


def install(env: Environment) -> None:
    """`t(key)` and the filters read the page's language from the template context (`lang`)."""

    @pass_context
    def t(ctx, key: str) -> str:
        return text(key, ctx.get("lang", "th"))

    env.globals["t"] = t
    env.filters["be_date"] = pass_context(lambda ctx, v: be_date(v, ctx.get("lang", "th")))
    env.filters["be_datetime"] = pass_context(lambda ctx, v: be_datetime(v, ctx.get("lang", "th")))
    env.filters["be_date_long"] = be_date_long
    env.filters["duration"] = pass_context(lambda ctx, v: duration(v, ctx.get("lang", "th")))
    env.filters["status_label"] = pass_context(lambda ctx, v: status_label(v, ctx.get("lang", "th")))
    env.filters["label"] = pass_context(lambda ctx, v: text(v, ctx.get("lang", "th")) if v in TEXTS else v)
    # A case's area down to its tambon: `{{ case|case_area }}`.
    env.filters["case_area"] = pass_context(
        lambda ctx, case: area_label(
            case.province_code, case.district_code, getattr(case, "subdistrict_code", None), ctx.get("lang", "th")
        )
    )
