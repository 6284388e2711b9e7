"""File names for display and download, and content types from the bytes."""

import pytest

from vault.files import MAX_FILENAME_CHARS, safe_filename, sniff_content_type


@pytest.mark.parametrize(
    "name,expected",
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
        ("/absolute/path/x.txt", "x.txt"),
        ("..", "file"),
        ("", "file"),
        ("   ", "file"),
        ("....", "file"),
        (".bashrc", "bashrc"),
        ("a\x00b\x07c\x1b[31m.txt", "abc[31m.txt"),
        ("line\nbreak\r.txt", "line break .txt"),
        ("right\u202eto-left.exe", "rightto-left.exe"),
        ("zero\u200bwidth.txt", "zerowidth.txt"),
        ('say "hi".txt', "say 'hi'.txt"),
        ("a<b>c|d?e*f:g.txt", "a_b_c_d_e_f_g.txt"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("Cafe\u0301.txt", "Café.txt"),
        ("tab\tand  spaces .txt", "tab and spaces .txt"),
        ("résumé – 2027.docx", "résumé – 2027.docx"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_long_names_keep_their_extension():
    name = safe_filename("x" * 500 + ".pdf")
    assert len(name) == MAX_FILENAME_CHARS and name.endswith(".pdf")
    assert len(safe_filename("y" * 500)) == MAX_FILENAME_CHARS


@pytest.mark.parametrize(
    "head,kind",
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"MZ\x90\x00", "application/x-msdownload"),
        (b"\x7fELF\x02", "application/x-executable"),
        (
            b"PK\x03\x04....word/document.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (b"PK\x03\x04....", "application/zip"),
        ("plain text, accentué\n".encode(), "text/plain"),
        (b"\x00\x01\x02binary", "application/octet-stream"),
        (b"\xff\xfe\xfdnot utf-8", "application/octet-stream"),
        (b"<script>alert(1)</script>", "text/plain"),  # never served as HTML
    ],
)
def test_sniffed_content_type(head, kind):
    assert sniff_content_type(head) == kind


def test_a_forged_content_type_is_ignored(clamd, company):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from vault import services

    upload = SimpleUploadedFile("cat.png", b"MZ\x90\x00 an executable", content_type="image/png")
    stored = services.file_store(company=company, object_id="x", upload=upload, actor=None)
    assert stored.content_type == "application/x-msdownload"
    stored = services.file_store(
        company=company, object_id="y", upload=io.BytesIO(b"%PDF-1.4"), actor=None
    )
    assert stored.content_type == "application/pdf"
