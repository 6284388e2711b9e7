"""Structured logs for production: one JSON object per line, with personal data taken out.

LOG_FORMAT=json (the default when DEBUG=0) turns it on. The formatter writes the time (UTC, ISO
8601), level, logger, message and the whitelisted extra fields below; the filter, applied to
every record, replaces email addresses and IP addresses in the message and the exception text
with placeholders, and drops query strings from anything that looks like a URL or path — a
reset link's code or a guest token must not reach a log collector (GDPR art. 5(1)(c)).
"""

import ipaddress
import json
import logging
import re
from datetime import UTC, datetime

# Extra fields a log call may attach (MetricsMiddleware's access line, Celery task names).
EXTRA_FIELDS = ("method", "route", "status", "duration_ms", "task", "queue")

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
IPV6_CANDIDATE = re.compile(r"(?<![\w:])[0-9a-fA-F:]*:[0-9a-fA-F:]*:[0-9a-fA-F:.]*(?![\w:])")
QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")


def redact(text: str) -> str:
    text = EMAIL.sub("[email]", text)
    text = QUERY.sub(r"\1?[query]", text)
    text = IPV4.sub("[ip]", text)
    return IPV6_CANDIDATE.sub(_ipv6, text)


def _ipv6(match: re.Match) -> str:
    try:
        ipaddress.IPv6Address(match.group(0))
    except ValueError:
        return match.group(0)
    return "[ip]"


class RedactPersonalData(logging.Filter):
    """Rewrites the record's message in place so every handler gets the redacted text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the template, drop the arguments
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        # Django attaches the request to django.request records; its repr carries the path.
        if hasattr(record, "request"):
            record.request = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in EXTRA_FIELDS:
            if field in record.__dict__:
                entry[field] = record.__dict__[field]
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(level: str, fmt: str) -> dict:
    """settings.LOGGING: the console handler, redacted always, JSON when fmt == "json"."""
    formatter = (
        {"()": JsonFormatter} if fmt == "json" else {"format": "%(levelname)s %(name)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": RedactPersonalData}},
        "formatters": {"portal": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["redact"],
                "formatter": "portal",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.request": {"level": "ERROR"}},
    }
