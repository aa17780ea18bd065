"""The catalogues: the Italian one complete and checked, the compiled files current.

The .po files are read with the small parser below (no polib), the compiled .mo files
with Python's own gettext, and `msgfmt --check` does what GNU gettext checks (format
strings of python-format entries, plural forms, the header)."""

import ast
import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
ITALIAN = LOCALE / "it" / "LC_MESSAGES" / "django.po"
ENGLISH = LOCALE / "en" / "LC_MESSAGES" / "django.po"


def entries(path):
    """Each entry of a .po file as a dict: flags, msgctxt, msgid, msgid_plural, msgstr (a
    string) or msgstr[n] (a list), obsolete entries (#~) left out."""
    found = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry = {"flags": set(), "msgstr_plural": {}}
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry = None
                break
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                value = ast.literal_eval(line)
                if isinstance(key, int):
                    entry["msgstr_plural"][key] += value
                else:
                    entry[key] += value
            else:
                keyword, rest = line.split(" ", 1)
                plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
                key = int(plural.group(1)) if plural else keyword
                if plural:
                    entry["msgstr_plural"][key] = ast.literal_eval(rest)
                else:
                    entry[key] = ast.literal_eval(rest)
        if entry is not None and "msgid" in entry:
            found.append(entry)
    return found


def label(entry):
    return (entry.get("msgctxt", "") + " | " if entry.get("msgctxt") else "") + entry["msgid"]


def test_the_parser_reads_what_gettext_reads():
    parsed = entries(ITALIAN)
    assert parsed[0]["msgid"] == ""  # the header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in parsed[0]["msgstr"]
    months = {entry["msgid"]: entry["msgstr"] for entry in parsed if entry.get("msgctxt") == "alt. month"}
    assert months["February"] == "febbraio"
    plural = next(entry for entry in parsed if entry["msgid"] == "One problem to fix before going on")
    assert plural["msgid_plural"] == "%(counter)s problems to fix before going on"
    assert plural["msgstr_plural"] == {
        0: "Un problema da correggere per continuare",
        1: "%(counter)s problemi da correggere per continuare",
    }


def test_every_italian_entry_is_translated_and_checked():
    parsed = entries(ITALIAN)[1:]
    assert len(parsed) > 1000
    fuzzy = [label(entry) for entry in parsed if "fuzzy" in entry["flags"]]
    untranslated = [
        label(entry)
        for entry in parsed
        if (entry["msgstr_plural"] and not all(entry["msgstr_plural"].values()))
        or (not entry["msgstr_plural"] and not entry.get("msgstr"))
    ]
    assert fuzzy == []
    assert untranslated == []


def test_url_patterns_keep_their_placeholders():
    for path in (ITALIAN, ENGLISH):
        for entry in entries(path)[1:]:
            translated = entry.get("msgstr")
            if translated and "<" in entry["msgid"] and entry["msgid"].endswith(("/", ".json", ".ics", ".atom")):
                assert re.findall(r"<[^>]+>", translated) == re.findall(r"<[^>]+>", entry["msgid"]), label(entry)


@pytest.mark.parametrize("path", [ITALIAN, ENGLISH], ids=["it", "en"])
def test_msgfmt_check_passes(path, tmp_path):
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "GNU gettext's msgfmt is needed (apt-get install gettext)"
    run = subprocess.run(
        [msgfmt, "--check", "-o", str(tmp_path / "django.mo"), str(path)], capture_output=True, text=True
    )
    assert (run.returncode, run.stderr) == (0, "")


@pytest.mark.parametrize("path", [ITALIAN, ENGLISH], ids=["it", "en"])
def test_the_compiled_catalogue_is_current(path):
    with open(path.with_suffix(".mo"), "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = []
    for entry in entries(path)[1:]:
        if "fuzzy" in entry["flags"]:
            continue
        context = entry.get("msgctxt")
        if entry["msgstr_plural"]:
            if not all(entry["msgstr_plural"].values()):
                continue
            for n, form in ((1, 0), (2, 1)):
                got = (
                    catalogue.npgettext(context, entry["msgid"], entry["msgid_plural"], n)
                    if context
                    else catalogue.ngettext(entry["msgid"], entry["msgid_plural"], n)
                )
                if got != entry["msgstr_plural"][form]:
                    stale.append(label(entry))
        elif entry.get("msgstr"):
            got = catalogue.pgettext(context, entry["msgid"]) if context else catalogue.gettext(entry["msgid"])
            if got != entry["msgstr"]:
                stale.append(label(entry))
    assert stale == [], "run compilemessages"


def test_italian_copy_fixes_of_issue_14():
    translated = {label(entry): entry.get("msgstr") or entry["msgstr_plural"] for entry in entries(ITALIAN)[1:]}
    assert translated["Change Password"] == "Cambia la password"
    assert translated["Undo"] == "Annulla la presenza"
    assert translated["Next page"] == "Pagina successiva"
    assert translated["Delete"] == "Elimina"  # the formset box the speakers' help text names
    assert (
        "“Elimina”"
        in translated[
            "Fill in an empty row for each speaker; tick “Delete” to remove one. Name them in the sessions below."
        ]
    )
    assert translated["network/"] == "rete/"
    assert translated["open-data/"] == "dati-aperti/"
