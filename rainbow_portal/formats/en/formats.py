# One date format on every page (issue 14), by language: "2 Dec 2026" and "2 Dec 2026, 14:05",
# day first and the month in letters so that no reader mistakes 02/12 for 12/02.
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
