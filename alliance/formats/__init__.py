"""Date formats of the portal, one per language (FORMAT_MODULE_PATH = "alliance.formats").

Project dates (``|date`` with no argument, ``DATE_FORMAT``) and event dates
(explicit ``"j F Y"``) read the same: "12 febbraio 2018", "12 February 2018".
What a module leaves out (the input formats, the number separators) comes from
Django's own module for the language.
"""
