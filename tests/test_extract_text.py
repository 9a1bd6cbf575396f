"""Reading documents for the extractor: text, Markdown, HTML, PDF (loaders/extract/text.py,
html.py) and the analysed text (spans.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import LoadError
from loaders.extract import SourceText, read_source
from loaders.extract.htmltext import html_to_text
from loaders.extract.spans import Doc, fold


def make_pdf(pages: list[str]) -> bytes:
    """A minimal PDF with one line of Helvetica text per page (WinAnsi encoding), with a
    correct cross-reference table."""
    n = len(pages)
    font = 3 + 2 * n
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode()]
    for i, text in enumerate(pages):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = b"BT /F1 12 Tf 72 720 Td (" + escaped.encode("cp1252") + b") Tj ET"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
                       f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_text_is_decoded_and_normalised(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes("Le\u00a0CTG\r\nsigne\u0301e\rfin\x07".encode())
    source = read_source(path)
    assert source == SourceText("Le\u00a0CTG\nsignée\nfin ", (), "text/plain")


def test_windows_1252_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "vieux.txt"
    path.write_bytes("Convention signée à Évry".encode("cp1252"))
    assert read_source(path).text == "Convention signée à Évry"


def test_markdown_keeps_its_text(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# Titre\n\n**Axe 1 : petite enfance**\n", encoding="utf-8")
    source = read_source(path)
    assert source.media_type == "text/markdown"
    assert source.text == "# Titre\n\n**Axe 1 : petite enfance**\n"


def test_html_is_stripped_to_text() -> None:
    markup = ("<html><head><title>CTG</title><style>p {color: red}</style>"
              "<script>var s = '<p>faux</p>';</script></head><body>"
              "<h1>Signature&nbsp;de la CTG</h1><p>Le 16 janvier 2024 &agrave; Moissac<br>"
              "la Caf &amp; la commune</p><ul><li>une cr&egrave;che</li><li>un LAEP</li></ul>"
              "<noscript>active JavaScript</noscript></body></html>")
    text = html_to_text(markup)
    assert text == ("CTG\nSignature\u00a0de la CTG\nLe 16 janvier 2024 à Moissac\nla Caf & la commune\n"
                    "- une crèche\n- un LAEP")
    assert "faux" not in text
    assert "color" not in text
    assert "JavaScript" not in text


def test_html_file(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<p>Un&nbsp;texte</p><p>Deux</p>", encoding="utf-8")
    source = read_source(path)
    assert (source.text, source.media_type) == ("Un\u00a0texte\nDeux", "text/html")


def test_pdf_text_with_its_pages(tmp_path: Path) -> None:
    path = tmp_path / "convention.pdf"
    path.write_bytes(make_pdf(["La CTG 2023-2027 a été signée le 16 janvier 2024.",
                               "Deuxième page : la Caf de Tarn-et-Garonne."]))
    source = read_source(path)
    assert source.media_type == "application/pdf"
    first, second = source.text.split("\f")
    assert first == "La CTG 2023-2027 a été signée le 16 janvier 2024."
    assert second == "Deuxième page : la Caf de Tarn-et-Garonne."
    assert source.pages == (0, len(first) + 1)
    assert source.page_of(source.text.index("Caf")) == 2
    assert source.page_of(3) == 1


@pytest.mark.parametrize(("name", "content", "where"), [
    ("broken.pdf", b"%PDF-1.4\nnot really a pdf", "PDF"),
    ("image.png", b"\x89PNG", "file"),
])
def test_unreadable_documents_raise_load_error(tmp_path: Path, name: str, content: bytes,
                                               where: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError) as err:
        read_source(path)
    assert err.value.file == str(path)
    assert err.value.where == where


def test_missing_file_raises_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="cannot be read"):
        read_source(tmp_path / "absent.txt")


def test_fold_keeps_offsets() -> None:
    text = "L’Été — « Lézat »\u00a0Œuvre"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == "l'ete - \" lezat \" œuvre"


def test_sentences_lines_and_list_items() -> None:
    doc = Doc("Titre\n\nLe 1er juillet, la MSA signe. Un document signé au Fossat.\n"
              "Objectifs :\n- L’accès aux droits ;\n- La jeunesse.\n"
              "Une phrase coupée\nsur deux lignes.")
    sentences = [doc.text[s:e] for s, e in doc.sentences]
    assert sentences == ["Titre", "Le 1er juillet, la MSA signe.", "Un document signé au Fossat.",
                         "Objectifs", "L’accès aux droits", "La jeunesse.",
                         "Une phrase coupée\nsur deux lignes."]
    items = [doc.text[ln.content[0]:ln.content[1]] for ln in doc.lines if ln.bullet]
    assert items == ["L’accès aux droits", "La jeunesse."]
    i = next(i for i, ln in enumerate(doc.lines) if ln.bullet)
    intro = doc.intro_of(i)
    assert intro is not None
    assert doc.text[intro.start:intro.end] == "Objectifs :"


def test_evidence_is_exact_substrings() -> None:
    doc = Doc("Première phrase. La CTG est signée le 16 janvier 2024 à Moissac. Fin.")
    start = doc.text.index("16 janvier")
    ev = doc.evidence([(start, start + 10), (start + 3, start + 8)])
    assert ev["excerpt"] == "La CTG est signée le 16 janvier 2024 à Moissac."
    (s, e), = ev["offsets"]
    assert doc.text[s:e] == ev["excerpt"]


def test_pdf_draft_names_the_pages_of_its_excerpts(tmp_path: Path) -> None:
    from loaders.extract import extract_file

    path = tmp_path / "ctg.pdf"
    path.write_bytes(make_pdf(["La CTG 2023-2027 a été signée le 16 janvier 2024 à Moissac.",
                               "Deuxième page : la Caf de Tarn-et-Garonne."]))
    draft = extract_file(path, tmp_path / "out")
    text = draft.read_text(encoding="utf-8")
    assert "offsets: [[0, 59]]  # p. 1" in text
    assert "# p. 2" in text
    assert (tmp_path / "out" / "ctg.txt").read_text(encoding="utf-8") == read_source(path).text
