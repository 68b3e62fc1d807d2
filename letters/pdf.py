"""The forwarding letter as a PDF: A4, the Sarabun TTF (from the `fontpkg-sarabun` wheel, OFL) shaped by
HarfBuzz so Thai vowels and tone marks stack as they should, the emblem at the head (a placeholder we
drew unless `LETTER_EMBLEM` names the office's own file), the words of `letters.wording` (the same
sentences as the print page), the status link's QR code, and each photo on a page of its own. Lines
break between Thai words (PyThaiNLP's newmm), not in the middle of one. Pure: bytes in, bytes out."""

from __future__ import annotations

import io
import os
import re
import unicodedata
from pathlib import Path

import segno
from fontpkg_sarabun import ROOT as SARABUN
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from pypdf import PdfReader, PdfWriter

from letters.data import LetterData
from letters.wording import Wording, wording
from nlp.text import word_tokenize

PLACEHOLDER_EMBLEM = Path(__file__).resolve().parent / "assets" / "emblem-placeholder.svg"
FONT = "Sarabun"
SIZE = 13  # Sarabun at 13 pt sets about as TH Sarabun New at 16 pt, the official letters' size
LINE = 6.6  # mm
INDENT = 25.0  # the first line of a paragraph (2.5 cm, as the official layout has it)
TAB = 30.0  # where the text after เรื่อง / เรียน / อ้างถึง begins
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def emblem_path() -> Path:
    """The emblem file: the deployment's own (`LETTER_EMBLEM`, SVG or PNG) or our placeholder."""
    chosen = os.environ.get("LETTER_EMBLEM", "")
    return Path(chosen) if chosen else PLACEHOLDER_EMBLEM


def qr_png(url: str, scale: int = 6) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


class LetterPdf(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4", unit="mm")
        self.set_margins(30, 20, 20)  # left 3 cm, right 2 cm
        self.set_auto_page_break(True, margin=20)
        self.add_font(FONT, "", str(SARABUN / "files" / "Sarabun-Regular.ttf"))
        self.add_font(FONT, "B", str(SARABUN / "files" / "Sarabun-Bold.ttf"))
        self.set_text_shaping(True, script="thai", language="tha")
        self.set_font(FONT, size=SIZE)

    # -- text ----------------------------------------------------------------------------------
    def lines(self, text: str, width: float, first_indent: float = 0.0) -> list[str]:
        """`text` broken into lines no wider than `width`, between words (newmm) or, for one word too
        long for a line (a URL), between characters that do not carry a mark."""
        out: list[str] = []
        for paragraph in CONTROL.sub("", text).splitlines() or [""]:
            line, room = "", width - first_indent if not out else width
            for token in word_tokenize(paragraph, engine="newmm", keep_whitespace=True):
                if self.get_string_width(line + token) <= room:
                    line += token
                    continue
                if line.strip():
                    out.append(line.rstrip())
                    room = width
                line = token.lstrip()
                while self.get_string_width(line) > room:
                    head, line = self._split(line, room)
                    out.append(head)
                    room = width
            out.append(line.rstrip())
        return out

    def _split(self, word: str, room: float) -> tuple[str, str]:
        cut = 1
        for i in range(1, len(word)):
            if unicodedata.category(word[i]).startswith("M"):
                continue  # a vowel or tone mark stays with its consonant
            if self.get_string_width(word[:i]) > room:
                break
            cut = i
        return word[:cut], word[cut:]

    def paragraph(self, text: str, indent: float = INDENT, left: float = 0.0, bold: bool = False) -> None:
        self.set_font(FONT, "B" if bold else "", SIZE)
        width = self.epw - left
        for i, line in enumerate(self.lines(text, width, indent)):
            self.set_x(self.l_margin + left + (indent if i == 0 else 0))
            self.cell(0, LINE, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", SIZE)

    def labelled(self, label: str, text: str) -> None:
        """A head line of the letter: the label in bold, the text from the tab stop, wrapped under it."""
        self.set_font(FONT, "B", SIZE)
        self.cell(TAB, LINE, label)
        self.set_font(FONT, "", SIZE)
        for i, line in enumerate(self.lines(text, self.epw - TAB)):
            if i:
                self.set_x(self.l_margin + TAB)
            self.cell(0, LINE, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_letter_pdf(letter: LetterData, emblem: Path | None = None) -> bytes:
    """The letter as PDF bytes. Photos are embedded from `LetterPhoto.data` (a photo without bytes is
    named in the enclosures but cannot be shown)."""
    words = wording(letter)
    pdf = LetterPdf()
    pdf.set_title(f"หนังสือส่งเรื่องร้องเรียน {letter.tracking_number}")
    pdf.set_author(letter.issuer)
    pdf.set_creator("Damrongdham complaints")
    pdf.add_page()
    _head(pdf, words, emblem or emblem_path())
    _body(pdf, words)
    _signature(pdf, words, letter)
    _photos(pdf, letter)
    return _with_complete_text_map(bytes(pdf.output()))


def _head(pdf: LetterPdf, w: Wording, emblem: Path) -> None:
    pdf.image(str(emblem), x=(pdf.w - 30) / 2, y=15, h=30)
    pdf.set_y(48)
    top = pdf.get_y()
    pdf.cell(pdf.epw / 2, LINE, w.reference)
    right = pdf.l_margin + pdf.epw * 0.55
    for line in w.office:
        for part in pdf.lines(line, pdf.epw * 0.45):
            pdf.set_xy(right, top)
            pdf.cell(0, LINE, part)
            top += LINE
    pdf.set_xy(pdf.l_margin + pdf.epw * 0.45, top + LINE / 2)
    pdf.cell(0, LINE, w.date, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(LINE / 2)
    pdf.labelled("เรื่อง", w.subject)
    pdf.labelled("เรียน", w.salutation)
    pdf.labelled("อ้างถึง", w.refers_to)
    pdf.labelled("สิ่งที่ส่งมาด้วย", w.enclosures)
    pdf.ln(LINE / 2)


def _body(pdf: LetterPdf, w: Wording) -> None:
    pdf.paragraph(w.opening)
    for label, value in w.facts:
        pdf.set_x(pdf.l_margin + INDENT)
        pdf.set_font(FONT, "B", SIZE)
        pdf.cell(32, LINE, label)
        pdf.set_font(FONT, "", SIZE)
        for i, line in enumerate(pdf.lines(value, pdf.epw - INDENT - 32)):
            pdf.set_x(pdf.l_margin + INDENT + 32)
            pdf.cell(0, LINE, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if w.quote:
        pdf.set_x(pdf.l_margin + INDENT)
        pdf.set_font(FONT, "B", SIZE)
        pdf.cell(0, LINE, w.quote_label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.paragraph(f"“{w.quote}”", indent=0, left=INDENT)
    pdf.ln(LINE / 3)
    pdf.paragraph(w.request)
    if w.status_link:
        pdf.paragraph(w.status_link)
    pdf.paragraph(w.conclusion)


def _signature(pdf: LetterPdf, w: Wording, letter: LetterData) -> None:
    block = LINE * (4 + len(w.signature))
    if pdf.get_y() + block > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(LINE)
    middle = pdf.l_margin + pdf.epw * 0.45
    pdf.set_x(middle)
    pdf.cell(0, LINE, w.closing, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(LINE * 2.5)
    for line in w.signature:
        pdf.set_x(middle - 10)
        pdf.cell(pdf.epw * 0.55 + 10, LINE, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(LINE)
    footer_top = pdf.get_y()
    if letter.status_url and footer_top + 42 > pdf.h - pdf.b_margin:
        pdf.add_page()
        footer_top = pdf.get_y()
    pdf.set_font(FONT, "", SIZE - 2)
    for line in w.footer:
        pdf.cell(pdf.epw * 0.6, LINE - 1, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if letter.status_url:
        size = 30
        x = pdf.l_margin + pdf.epw - size
        pdf.image(io.BytesIO(qr_png(letter.status_url)), x=x, y=footer_top, w=size, h=size)
        pdf.set_xy(pdf.l_margin + pdf.epw * 0.45, footer_top + size)
        pdf.set_font(FONT, "", SIZE - 4)
        for line in ["ลิงก์สถานะสำหรับหน่วยงาน", *pdf.lines(letter.status_url, pdf.epw * 0.55)]:
            pdf.set_x(pdf.l_margin + pdf.epw * 0.45)
            pdf.cell(0, LINE - 2, line, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", SIZE)


def _photos(pdf: LetterPdf, letter: LetterData) -> None:
    shown = [p for p in letter.photos if p.data]
    for i, photo in enumerate(shown, start=1):
        pdf.add_page()
        caption = f"สิ่งที่ส่งมาด้วย ภาพถ่ายที่ {i} จาก {len(shown)} ({photo.filename}) เรื่องเลขที่ {letter.tracking_number}"
        pdf.paragraph(caption, indent=0)
        top = pdf.get_y() + 2
        try:
            pdf.image(
                io.BytesIO(photo.data),
                x=pdf.l_margin,
                y=top,
                w=pdf.epw,
                h=pdf.h - pdf.b_margin - top,
                keep_aspect_ratio=True,
            )
        except Exception:  # noqa: BLE001  (a photo the image library cannot read is named, not fatal)
            pdf.paragraph("(ไม่สามารถแสดงภาพนี้ได้ / this photo could not be shown)", indent=0)


def _with_complete_text_map(data: bytes) -> bytes:
    """Give every glyph a text meaning. HarfBuzz's Thai shaper splits สระอำ into two glyphs (นิคหิต and
    สระอา) and fpdf2 gives the cluster's text to the first one only, leaving the second without an
    entry in the font's ToUnicode map; a reader then invents a character for it ("อำ$"). Mapping those
    glyphs to no text makes the PDF's text read, copy and search as it was written."""
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter(clone_from=reader)
    done: set[int] = set()
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            if "/ToUnicode" not in font or "/DescendantFonts" not in font:
                continue
            cmap_ref = font["/ToUnicode"]
            key = getattr(cmap_ref, "idnum", id(cmap_ref))
            if key in done:
                continue
            done.add(key)
            _map_unmapped(font, cmap_ref.get_object())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _map_unmapped(font, cmap) -> None:
    text = cmap.get_data().decode("latin-1")
    mapped = {int(code, 16) for code in re.findall(r"<([0-9A-Fa-f]{4})>\s*<[0-9A-Fa-f]*>", text)}
    descendant = font["/DescendantFonts"][0].get_object()
    used = _used_codes(descendant)
    missing = sorted(used - mapped)
    if not missing:
        return
    extra = "".join(f"<{code:04X}> <>\n" for code in missing)
    text = text.replace("endcmap", f"{len(missing)} beginbfchar\n{extra}endbfchar\nendcmap", 1)
    cmap.set_data(text.encode("latin-1"))


def _used_codes(descendant) -> set[int]:
    """The codes the font's widths array names: every glyph the subset holds."""
    codes: set[int] = set()
    widths = list(descendant.get("/W", []))
    i = 0
    while i < len(widths):
        first, nxt = int(widths[i]), widths[i + 1]
        if isinstance(nxt, list) or hasattr(nxt, "__iter__"):
            codes.update(range(first, first + len(nxt)))
            i += 2
        else:
            codes.update(range(first, int(nxt) + 1))
            i += 3
    return codes
