"""Uploaded PDFs: a corpus of polyglots and PDFs with active content, all refused; plain PDFs kept as .pdf."""

import io
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from alliance.uploads import RandomName, clean_pdf


def plain_pdf(*, change=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if change:
        change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "brochure.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def refused_code(data: bytes, name: str = "brochure.pdf") -> str:
    with pytest.raises(ValidationError) as error:
        clean_pdf(upload(data, name))
    return error.value.code


def with_object_stream(action: bytes) -> bytes:
    """A PDF 1.5 whose open action lives compressed in an object stream (invisible to a byte scan)."""
    parts = [b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"]
    offsets = {}

    def add(number, body):
        offsets[number] = sum(len(p) for p in parts)
        parts.append(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    add(1, b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>")
    add(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>")
    header = b"5 0 "
    packed = zlib.compress(header + action)
    add(
        4,
        b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (len(header), len(packed))
        + packed
        + b"\nendstream",
    )
    xref_offset = sum(len(p) for p in parts)
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    for number in (1, 2, 3, 4):
        rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00")
    rows.append(b"\x02" + (4).to_bytes(4, "big") + b"\x00\x00")  # object 5: in stream 4, index 0
    rows.append(b"\x01" + xref_offset.to_bytes(4, "big") + b"\x00\x00")
    table = b"".join(rows)
    parts.append(
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(table)
        + table
        + b"\nendstream\nendobj\n"
    )
    parts.append(b"startxref\n%d\n%%%%EOF\n" % xref_offset)
    return b"".join(parts)


def test_a_plain_pdf_is_kept_and_named_pdf_whatever_it_was_called():
    cleaned = clean_pdf(upload(plain_pdf(), name="brochure.html", content_type="text/html"))
    assert cleaned.name == "brochure.pdf"
    assert cleaned.content_type == "application/pdf"
    assert cleaned.read().startswith(b"%PDF-")


def test_a_plain_pdf_with_an_object_stream_is_read_and_kept():
    # The control for the next test: the hand-made object stream is a readable PDF.
    data = with_object_stream(b"<< /S /GoTo /D [3 0 R /Fit] >>")
    assert clean_pdf(upload(data)).name == "brochure.pdf"


def test_javascript_hidden_in_a_compressed_object_stream_is_refused():
    data = with_object_stream(b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>")
    assert b"JavaScript" not in data
    assert refused_code(data) == "active_content"


def test_document_javascript_is_refused():
    def names_tree(writer):
        action = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('x');"),
            }
        )
        writer._root_object[NameObject("/Names")] = DictionaryObject(
            {
                NameObject("/JavaScript"): DictionaryObject(
                    {
                        NameObject("/Names"): ArrayObject([TextStringObject("x"), writer._add_object(action)]),
                    }
                ),
            }
        )

    assert refused_code(plain_pdf(change=names_tree)) == "active_content"


def test_an_open_action_running_javascript_is_refused():
    def open_action(writer):
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert(1)"),
            }
        )

    assert refused_code(plain_pdf(change=open_action)) == "active_content"


def test_an_embedded_file_is_refused():
    assert refused_code(plain_pdf(change=lambda w: w.add_attachment("run.exe", b"MZ..."))) == "active_content"


def test_a_launch_action_on_a_link_is_refused():
    def launch(writer):
        annotation = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([]),
                NameObject("/A"): DictionaryObject(
                    {
                        NameObject("/S"): NameObject("/Launch"),
                        NameObject("/F"): TextStringObject("cmd.exe"),
                    }
                ),
            }
        )
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])

    assert refused_code(plain_pdf(change=launch)) == "active_content"


def test_additional_actions_on_a_page_are_refused():
    def page_aa(writer):
        writer.pages[0][NameObject("/AA")] = DictionaryObject(
            {
                NameObject("/O"): DictionaryObject({NameObject("/S"): NameObject("/GoTo")}),
            }
        )

    assert refused_code(plain_pdf(change=page_aa)) == "active_content"


def test_a_name_hidden_with_hex_escapes_is_refused():
    data = plain_pdf().replace(b"/Type /Catalog", b"/Type /Catalog /Names << /J#61vaScript 9 0 R >>", 1)
    assert refused_code(data) == "active_content"


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n",
        b"%PDF-1.4\n<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>\n%%EOF\n",
        b"%PDF-1.7\n<!DOCTYPE html><p>hello</p>\n%%EOF",
    ],
    ids=["html", "svg", "doctype"],
)
def test_html_and_svg_polyglots_starting_with_the_pdf_header_are_refused(data):
    assert refused_code(data, name="brochure.html") == "not_pdf"


def test_a_real_pdf_with_html_appended_is_refused():
    data = plain_pdf() + b"\n<script>alert(1)</script>\n%%EOF\n"
    assert refused_code(data) == "not_pdf"


def test_the_header_must_open_the_file_and_the_end_marker_close_it():
    assert refused_code(b"<html>" + plain_pdf()) == "not_pdf"
    assert refused_code(plain_pdf().replace(b"%%EOF", b"")) == "not_pdf"
    assert refused_code(plain_pdf() + b"x" * 4096) == "not_pdf"


def test_only_the_first_bytes_looking_like_a_pdf_is_not_enough():
    assert refused_code(b"%PDF-1.4\n" + b"garbage " * 2000 + b"\n%%EOF\n") == "unreadable"


def test_a_too_big_pdf_is_refused_with_its_size():
    with pytest.raises(ValidationError) as error:
        clean_pdf(upload(plain_pdf()), max_bytes=100)
    assert error.value.code == "too_big"


@pytest.mark.parametrize(
    ("name", "extension"),
    [
        ("a.pdf", ".pdf"),
        ("A.PDF", ".pdf"),
        ("p.jpg", ".jpg"),
        ("p.webp", ".webp"),
        ("x.html", ""),
        ("x.svg", ""),
        ("x.pdf.html", ""),
        ("noext", ""),
    ],
)
def test_files_are_stored_only_under_the_extensions_the_cleaners_produce(name, extension):
    stored = RandomName("pathways/brochures")(None, name)
    assert stored.startswith("pathways/brochures/")
    assert stored[len("pathways/brochures/") :].count(".") == (1 if extension else 0)
    assert stored.endswith(extension)
