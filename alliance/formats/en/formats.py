# Day first, as the event pages always wrote their dates, and the 24-hour clock of
# the Italian pages: the English reader of an Italian network sees one calendar.
DATE_FORMAT = "j F Y"  # 12 February 2018
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j F Y, H:i"  # 12 February 2018, 14:30
YEAR_MONTH_FORMAT = "F Y"  # February 2018
MONTH_DAY_FORMAT = "j F"  # 12 February
SHORT_DATE_FORMAT = "d/m/Y"  # 12/02/2018
SHORT_DATETIME_FORMAT = "d/m/Y, H:i"  # 12/02/2018, 14:30
