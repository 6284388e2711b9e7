"""Calendar arithmetic for billing periods. All dates are UTC calendar dates (SPEC §8.5)."""

import calendar
import datetime as dt


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_month(text: str) -> dt.date:
    """`2027-01` -> date(2027, 1, 1); a clear ValueError otherwise."""
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise ValueError(f"“{text}” is not a month: use YYYY-MM, e.g. 2027-01.") from None


def previous_month(today: dt.date) -> dt.date:
    return add_months(month_start(today), -1)


def last_months(today: dt.date, count: int) -> list[dt.date]:
    """First days of the `count` months ending with today's month, oldest first."""
    first = month_start(today)
    return [add_months(first, -i) for i in range(count - 1, -1, -1)]
