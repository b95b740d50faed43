"""Working days: Chinese holidays and make-up days from the database, weekends beyond known years.

Legal and sharing deadlines are counted in working days. The State Council publishes each
year's holidays late in the previous year, so the calendar lives in the database (seeded from
the chinese-calendar package, entered by admins afterwards). For a year with no notice entered
the calendar falls back to Saturdays and Sundays and says so: `Deadline.assumed`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import Actor, Permission
from tongban.errors import ValidationFailed
from tongban.transactions import use_case
from tongban.workdays.models import CalendarDay, CalendarYear


@dataclass(frozen=True)
class Deadline:
    due: dt.date
    assumed: bool  # True if a year without an official holiday notice was crossed

    def note(self) -> str:
        return "（该年度节假日安排尚未公布，暂按周末推算）" if self.assumed else ""


@dataclass
class WorkCalendar:
    """An in-memory view of the calendar; cheap to build (a few hundred rows)."""

    exceptions: dict[dt.date, bool] = field(default_factory=dict)
    names: dict[dt.date, str] = field(default_factory=dict)
    known_years: set[int] = field(default_factory=set)

    def is_known(self, day: dt.date) -> bool:
        return day.year in self.known_years

    def is_workday(self, day: dt.date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> Deadline:
        """The `days`-th working day after `start` (the start day itself is not counted)."""
        if days < 0:
            raise ValueError("days must be >= 0")
        current = start
        assumed = not self.is_known(start)
        counted = 0
        while counted < days:
            current += dt.timedelta(days=1)
            if not self.is_known(current):
                assumed = True
            if self.is_workday(current):
                counted += 1
        return Deadline(current, assumed)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative if end < start)."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        current = start
        while current < end:
            current += dt.timedelta(days=1)
            if self.is_workday(current):
                count += 1
        return count


def load(session: Session) -> WorkCalendar:
    cal = WorkCalendar()
    for row in session.execute(select(CalendarDay)).scalars():
        cal.exceptions[row.day] = row.is_workday
        cal.names[row.day] = row.name
    cal.known_years = set(session.execute(select(CalendarYear.year)).scalars())
    return cal


def package_exceptions(year: int) -> list[tuple[dt.date, bool, str]]:
    """The holidays and make-up days the chinese-calendar package knows for `year`."""
    import chinese_calendar

    out: list[tuple[dt.date, bool, str]] = []
    for day, name in sorted(chinese_calendar.holidays.items()):
        if day.year == year and day.weekday() < 5:
            out.append((day, False, _holiday_name(name)))
    for day, name in sorted(chinese_calendar.workdays.items()):
        if day.year == year and day.weekday() >= 5:
            out.append((day, True, _holiday_name(name) + "调休"))
    return out


_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _holiday_name(value: object) -> str:
    text = getattr(value, "value", None) or str(value)
    return _NAMES.get(str(text), str(text))[:32]


def package_years() -> list[int]:
    import chinese_calendar

    return sorted({d.year for d in chinese_calendar.holidays})


@use_case
def seed_from_package(session: Session) -> int:
    """Insert every year the package knows that the database does not have yet; returns years added."""
    have = set(session.execute(select(CalendarYear.year)).scalars())
    added = 0
    for year in package_years():
        if year in have:
            continue
        for day, is_workday, name in package_exceptions(year):
            session.merge(CalendarDay(day=day, is_workday=is_workday, name=name))
        session.add(CalendarYear(year=year, source="chinese-calendar", notice="chinese-calendar 软件包"))
        added += 1
    session.flush()
    return added


@dataclass
class YearView:
    year: int
    official: bool
    source: str | None
    notice: str | None
    holidays: list[tuple[dt.date, str]]
    workdays: list[tuple[dt.date, str]]


def year_view(*, session: Session, year: int) -> YearView:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = session.execute(select(CalendarDay).where(CalendarDay.day >= start, CalendarDay.day <= end)
                           .order_by(CalendarDay.day)).scalars().all()
    y = session.get(CalendarYear, year)
    return YearView(year=year, official=y is not None, source=y.source if y else None, notice=y.notice if y else None,
                    holidays=[(r.day, r.name) for r in rows if not r.is_workday],
                    workdays=[(r.day, r.name) for r in rows if r.is_workday])


def known_years(*, session: Session) -> list[int]:
    return sorted(session.execute(select(CalendarYear.year)).scalars())


FIELD_LABELS = {"holidays": "放假日期", "workdays": "调休上班日期"}
_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_SHORT = r"(?:(\d{1,2})\s*[-/.月]\s*)?(\d{1,2})\s*日?"  # the end of a range may leave out year and month
# A day or a range, then the name: “2027-02-05 春节”, “2027-02-05 至 2027-02-11 春节”, “2027-02-05~02-11 春节”,
# with 至, 到, ~, ～, - or a dash between the two days (as State Council notices and people write them).
_SEP = r"\s*(?:至|到|~|～|-|－|—|–)\s*"
_LINE = re.compile(rf"^{_DATE}(?:{_SEP}(?:{_DATE}|{_SHORT}))?(?:\s+(?P<name>.*)|(?P<glued>\D.*))?$")
MAX_RANGE_DAYS = 20


def _day(year: str, month: str, day: str) -> dt.date:
    return dt.date(int(year), int(month), int(day))


def parse_lines(text: str, *, field: str = "holidays") -> list[tuple[dt.date, str]]:
    """Lines like “2027-01-01 元旦” or ranges “2027-02-05 至 2027-02-11 春节” (the page's input format).

    A range is expanded day by day. Its days that need no entry are left out: weekends in a range of
    放假日期 (they are rest days anyway), weekdays in a range of 调休上班日期. Errors name the field, the
    line and what to write instead.
    """
    label = FIELD_LABELS.get(field, field)
    example = "2027-02-14 春节调休" if field == "workdays" else "2027-01-01 元旦 或 2027-02-05 至 2027-02-11 春节"
    out: list[tuple[dt.date, str]] = []
    seen: dict[dt.date, int] = {}
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        where = f"{label}第 {n} 行“{line[:60]}”"

        def fail(what: str, code: str = "bad_day", where: str = where, n: int = n) -> ValidationFailed:
            return ValidationFailed(f"{where}{what}", code=code, detail={"field": field, "line": n})

        m = _LINE.match(line)
        if m is None:
            raise fail(f"的日期格式不正确，应写作“{example}”。")
        g = m.groups()
        name = (m.group("name") or m.group("glued") or "").strip()
        try:
            a = _day(g[0], g[1], g[2])
            if g[3] is not None:
                b = _day(g[3], g[4], g[5])
            elif g[7] is not None:
                b = _day(g[0], g[6] or g[1], g[7])
            else:
                b = a
        except ValueError:
            raise fail(f"的日期格式不正确：没有这一天，请核对月份和日期，应写作“{example}”。") from None
        if b < a:
            raise fail("的结束日期早于开始日期，请把较早的日期写在前面。")
        if (b - a).days >= MAX_RANGE_DAYS:
            raise fail(f"的日期范围超过 {MAX_RANGE_DAYS} 天，请核对；每个假期请分行填写。")
        if not name:
            raise fail(f"缺少名称，请在日期后空一格写上名称，如“{example}”。", code="name_required")
        if len(name) > 32:
            raise fail("的名称超过 32 个字，请写节日名称即可。")
        days = [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]
        if a != b:
            wanted_weekend = field == "workdays"
            days = [d for d in days if (d.weekday() >= 5) == wanted_weekend]
            if not days:
                kind = "周末" if wanted_weekend else "工作日"
                raise fail(f"的范围内没有{kind}，无需登记。")
        for day in days:
            if day in seen:
                raise fail(f"中的 {day.isoformat()} 与第 {seen[day]} 行重复，请删去其中一处。", code="duplicate_day")
            seen[day] = n
            out.append((day, name))
    return out


@dataclass
class YearIn:
    year: int
    notice: str
    holidays: list[tuple[dt.date, str]]  # weekday holidays
    workdays: list[tuple[dt.date, str]]  # weekend make-up working days

    @classmethod
    def from_text(cls, *, year: int, notice: str, holidays: str, workdays: str) -> YearIn:
        """The calendar form's input: one line per day or range (`parse_lines`), errors naming field and line."""
        return cls(year=year, notice=notice, holidays=parse_lines(holidays, field="holidays"),
                   workdays=parse_lines(workdays, field="workdays"))


@dataclass(frozen=True)
class SavedYear:
    year: CalendarYear
    recounted: int  # open deadlines whose due day, warn day or weekend flag changed


@use_case
def save_year(*, session: Session, actor: Actor, year_in: YearIn) -> SavedYear:
    """节假日设置: enter (or correct) one year's State Council holiday notice; open deadlines are recounted.

    One use-case with the recount: if an owner's callback fails, the calendar stays as it was (a calendar
    whose open deadlines were not recounted on it would show due days that no longer hold)."""
    actor.require(Permission.CALENDAR_MANAGE)
    if not 2000 <= year_in.year <= 2100:
        raise ValidationFailed("年份应在 2000 至 2100 之间。", code="bad_year")
    if not year_in.notice.strip():
        raise ValidationFailed("请填写节假日安排通知的文号或标题。", code="notice_required", detail={"field": "notice"})
    for key, days in (("holidays", year_in.holidays), ("workdays", year_in.workdays)):
        label = FIELD_LABELS[key]
        for day, name in days:
            if day.year != year_in.year:
                raise ValidationFailed(f"{label}中的 {day.isoformat()} 不在 {year_in.year} 年内，"
                                       f"请登记到 {day.year} 年。", code="bad_day", detail={"field": key})
            if not name.strip():
                raise ValidationFailed(f"{label}中的 {day.isoformat()} 缺少名称，如“春节”或“春节调休”。",
                                       code="name_required", detail={"field": key})
    for day, _ in year_in.holidays:
        if day.weekday() >= 5:
            raise ValidationFailed(f"放假日期中的 {day.isoformat()} 是周末，本来就不上班，无需登记为节假日。",
                                   code="bad_day", detail={"field": "holidays"})
    for day, _ in year_in.workdays:
        if day.weekday() < 5:
            raise ValidationFailed(f"调休上班日期中的 {day.isoformat()} 是工作日，无需登记为调休上班日。",
                                   code="bad_day", detail={"field": "workdays"})
    for key, days in (("holidays", year_in.holidays), ("workdays", year_in.workdays)):
        seen = [d for d, _ in days]
        duplicated = sorted({d for d in seen if seen.count(d) > 1})
        if duplicated:
            raise ValidationFailed(f"{FIELD_LABELS[key]}中的 {duplicated[0].isoformat()} 登记了不止一次，"
                                   "请删去重复的一处。", code="duplicate_day", detail={"field": key})
    start, end = dt.date(year_in.year, 1, 1), dt.date(year_in.year, 12, 31)
    session.execute(delete(CalendarDay).where(CalendarDay.day >= start, CalendarDay.day <= end))
    for day, name in year_in.holidays:
        session.add(CalendarDay(day=day, is_workday=False, name=name[:32]))
    for day, name in year_in.workdays:
        session.add(CalendarDay(day=day, is_workday=True, name=name[:32]))
    year = session.get(CalendarYear, year_in.year)
    if year is None:
        year = CalendarYear(year=year_in.year, source="admin")
        session.add(year)
    year.source = "admin"
    year.notice = year_in.notice.strip()
    year.updated_by = actor.id
    session.flush()
    # Every open clock is recounted on the new calendar (estimated ones become official, corrected
    # holidays move due days); the owning domains mirror the moved days through their registered callbacks.
    from tongban.workdays import clocks  # clocks builds on this module

    recounted = clocks.recompute_open(session, load(session))
    audit.record(session, actor=actor, action="calendar.update", object_type="calendar_year",
                 object_id=year_in.year, detail={"notice": year.notice, "holidays": len(year_in.holidays),
                                                 "workdays": len(year_in.workdays), "recounted": recounted})
    return SavedYear(year, recounted)
