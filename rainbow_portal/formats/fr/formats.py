# Le même format de date sur chaque page (issue 14) : « 2 déc. 2026 » et « 2 déc. 2026 14:05 ».
DATE_FORMAT = "j N Y"
SHORT_DATE_FORMAT = "j N Y"
DATETIME_FORMAT = "j N Y H:i"
SHORT_DATETIME_FORMAT = "j N Y H:i"
