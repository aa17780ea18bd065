# Month and weekday names come lowercase from locale/it (alliance/formats/names.py):
# in Italian running text "12 febbraio 2018", never "12 Febbraio 2018".
DATE_FORMAT = "j F Y"  # 12 febbraio 2018
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j F Y, H:i"  # 12 febbraio 2018, 14:30
YEAR_MONTH_FORMAT = "F Y"  # febbraio 2018
MONTH_DAY_FORMAT = "j F"  # 12 febbraio
SHORT_DATE_FORMAT = "d/m/Y"  # 12/02/2018
SHORT_DATETIME_FORMAT = "d/m/Y, H:i"  # 12/02/2018, 14:30
