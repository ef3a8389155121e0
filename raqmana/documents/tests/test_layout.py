"""The printed page: whatever the number of mentions, every page carries the document's number, its page number,
the verification code and the QR code, and none holds only those; certified content is in Arabic and French
whatever the language of the agent's screen."""

import re
import shutil
import subprocess
from datetime import date

import pytest
from django.utils import translation
from PIL import Image

from raqmana.civil_status.constants import ActKind, AuthorityKind, MentionKind
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.civil_status.services.mentions import record_mention
from raqmana.civil_status_documents.constants import CivilStatusDocument
from raqmana.civil_status_documents.services import issue_at_counter
from raqmana.civil_status_documents.tests.conftest import HOLDER
from raqmana.documents.services import issue_document, verification_url

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (shutil.which("pdftotext") and shutil.which("pdftoppm") and shutil.which("zbarimg")),
        reason="poppler's pdftotext and pdftoppm and zbar's zbarimg are needed "
        "(apt-get install poppler-utils zbar-tools)",
    ),
]

# The page as document.typ sets it, in PostScript points: A4, and the margins the running header and footer
# are drawn in. What lies between them is the document's body.
PAGE_WIDTH = 595
BODY_TOP, BODY_BOTTOM = 49, 842 - 114  # 1.7 cm and 4 cm
MARGIN = 45.4  # 1.6 cm left and right

MENTION_KINDS = [
    (MentionKind.MARRIAGE, AuthorityKind.ADOUL),
    (MentionKind.DIVORCE, AuthorityKind.COURT),
    (MentionKind.COURT_DECISION, AuthorityKind.COURT),
]


def with_mentions(act, officer, count):
    for number in range(1, count + 1):
        kind, authority = MENTION_KINDS[number % len(MENTION_KINDS)]
        record_mention(
            act,
            kind=kind,
            authority_kind=authority,
            authority_name="المحكمة الابتدائية بتمارة",
            reference_number=f"M{number:02d}/2026",
            decided_on=date(2026, 1, 1 + number % 28),
            legal_basis="Code de la famille",
            text_ar=f"البيان رقم {number}: " + "نص البيان كما حرره ضابط الحالة المدنية بطرة الرسم. " * 3,
            by=officer,
        )


def pdf_file(document, directory):
    path = directory / f"{document.verification_code}.pdf"
    path.write_bytes(document.pdf.read())
    return path


def printed_code(document):
    return "-".join(re.findall(".{4}", document.verification_code))


def pages_text(path, *, body_only=False, columns=False):
    """Each page's text, as pdftotext lays it out; `body_only`: what lies between the header and the footer;
    `columns`: each column's lines together, rather than the lines of the page across its columns."""
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    crop = ["-x", "0", "-y", str(BODY_TOP), "-W", str(PAGE_WIDTH), "-H", str(BODY_BOTTOM - BODY_TOP)]
    return [
        subprocess.run(
            [
                "pdftotext",
                *([] if columns else ["-layout"]),
                "-f",
                str(page),
                "-l",
                str(page),
                *(crop if body_only else []),
                path,
                "-",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for page in range(1, count + 1)
    ]


def without_bidi_marks(text):
    """The text without the embeddings and isolates pdftotext puts around each run of one direction."""
    return re.sub("[\u202a-\u202e\u2066-\u2069]", "", text)


def qr_codes(path):
    """What the QR code of each page holds, read back from the page drawn at 150 dpi."""
    subprocess.run(["pdftoppm", "-png", "-r", "150", path, path.with_suffix("")], check=True)
    images = sorted(path.parent.glob(f"{path.stem}-*.png"))
    return [
        subprocess.run(["zbarimg", "--raw", "-q", image], capture_output=True, text=True).stdout.strip()
        for image in images
    ]


@pytest.mark.parametrize("mentions", [0, 1, 5, 20])
@pytest.mark.parametrize("kind", [CivilStatusDocument.BIRTH_EXTRACT, CivilStatusDocument.BIRTH_FULL_COPY])
def test_every_page_carries_the_number_the_code_and_the_qr_code(
    kind, mentions, birth_act, agent, officer, temara_office, tmp_path
):
    with_mentions(birth_act, officer, mentions)
    document = issue_at_counter(birth_act, kind, office=temara_office, by=agent, requester=HOLDER, purpose="Visa")
    path = pdf_file(document, tmp_path)
    pages, bodies = pages_text(path), pages_text(path, body_only=True)
    code = printed_code(document)
    for number, text in enumerate(pages, start=1):
        assert document.reference in text
        assert f"{number} / {len(pages)}" in text
        assert code in text
    # No page holds only the running lines: each has some of the document's body.
    assert all(body.strip() for body in bodies), bodies
    assert qr_codes(path) == [verification_url(document.verification_code)] * len(pages)
    if kind == CivilStatusDocument.BIRTH_FULL_COPY and mentions == 20:
        assert len(pages) > 1
        assert sorted(re.findall(r"M\d\d/2026", "".join(pages))) == [f"M{n:02d}/2026" for n in range(1, 21)]


def test_the_certified_content_is_in_arabic_and_french_whatever_the_agents_language(
    birth_act, agent, officer, temara_office, tmp_path
):
    with_mentions(birth_act, officer, 3)
    texts = {}
    for language in ("ar", "fr", "en"):
        with translation.override(language):
            document = issue_at_counter(
                birth_act,
                CivilStatusDocument.BIRTH_FULL_COPY,
                office=temara_office,
                by=agent,
                requester=HOLDER,
                purpose="Visa",
            )
        text = "\n".join(pages_text(pdf_file(document, tmp_path)))
        # What differs from one issue to the next: the number, the code, the minute of issue, and the spaces
        # pdftotext lays out around them.
        text = text.replace(document.reference, "REFERENCE").replace(printed_code(document), "CODE")
        texts[language] = re.sub(r" +", " ", re.sub(r"\d\d:\d\d", "HH:MM", text))
    assert texts["ar"] == texts["fr"] == texts["en"]
    for arabic, french, english in [
        ("زواج", "Mariage", "Marriage"),
        ("طلاق", "Divorce", None),
        ("حكم قضائي", "Décision de justice", "Court decision"),
        ("ذكر", "Masculin", "Male"),
        ("عون الحالة المدنية", "Agent de l'état civil", "Civil status agent"),
    ]:
        assert arabic in texts["en"] and french in texts["en"]
        assert english is None or english not in texts["en"]


@pytest.mark.parametrize(
    ("issuer", "capacity"),
    [
        ("agent", ["عون الحالة المدنية", "Agent de l'état civil", "Salma Bennani"]),
        ("officer", ["ضابط الحالة المدنية", "Officier de l'état civil", "Youssef El Idrissi"]),
        (None, ["سلمت آليا", "Délivré automatiquement"]),
    ],
)
def test_the_page_says_where_and_by_whom_it_was_issued_under_the_kingdoms_emblem(
    issuer, capacity, request, birth_act, temara_office, tmp_path
):
    by = request.getfixturevalue(issuer) if issuer else None
    document = issue_document(
        birth_act,
        CivilStatusDocument.BIRTH_EXTRACT,
        unit=temara_office,
        issued_by=by,
        requester=HOLDER,
        purpose="Bank",
    )
    path = pdf_file(document, tmp_path)
    (text,) = pages_text(path)
    text = without_bidi_marks(text)
    for line in [
        "Région Rabat-Salé-Kénitra",
        "Préfecture Skhirate-Témara",
        "جماعة تمارة",
        "Commune Témara",
        "حرر بتمارة في",
        "Fait à Témara le",
        "ختم إلكتروني لمكتب",
        "Scellé électroniquement",
        *capacity,
    ]:
        assert line in text
    # The coat of arms stands at the head of the page, between the Arabic and the French letterheads: its
    # shield's red and blue are there.
    subprocess.run(["pdftoppm", "-png", "-r", "72", "-singlefile", path, tmp_path / "page"], check=True)
    head = Image.open(tmp_path / "page.png").convert("RGB").crop((250, 30, 350, 130))
    colours = set(head.get_flattened_data())
    for red, green, blue in [(252, 10, 36), (3, 71, 237)]:
        assert any(abs(r - red) + abs(g - green) + abs(b - blue) < 40 for r, g, b in colours)


# The longest a name field and a mention take, typed without a space: a word may break anywhere, but no letter
# is lost, hidden or drawn past the margins. The Arabic name mixes letters that join on both sides with some that
# do not; the mention's letters all join. Names of a real length are not broken.
LONG_LATIN_NAME = ("Benabderrahimelidrissielhassani" * 4)[:100]
LONG_ARABIC_NAME = ("بنعبدالرحيمالإدريسيالحسني" * 4)[:100]
LONG_MENTION = "نص" * 400
WORDY_MENTION = ("صحح الاسم العائلي بحكم المحكمة الابتدائية " * 8)[:300]
LATIN_NAME, ARABIC_NAME = "Benabderrahmane", "بنعبدالرحيمالإدريسيالحسني"


def text_boxes(path):
    """Every word pdftotext finds in the PDF, with its page and its box (x and y from the top left, in points)."""
    xhtml = subprocess.run(["pdftotext", "-bbox", path, "-"], capture_output=True, text=True, check=True).stdout
    pages = re.split(r"<page ", xhtml)[1:]
    return [
        (number, word, *map(float, box))
        for number, page in enumerate(pages, start=1)
        for *box, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page
        )
    ]


def test_a_word_longer_than_its_column_breaks_inside_the_margins_and_keeps_every_letter(
    temara_office, agent, officer, birth_data, tmp_path
):
    data = {
        **birth_data,
        "family_name_latin": LONG_LATIN_NAME,
        "family_name_ar": LONG_ARABIC_NAME,
        "father_first_name_latin": LATIN_NAME,
        "mother_family_name_ar": ARABIC_NAME,
    }
    act = sign_act(draft_act(temara_office, ActKind.BIRTH, data, by=agent), by=officer)
    for number, text in enumerate([LONG_MENTION, WORDY_MENTION], start=1):
        record_mention(
            act,
            kind=MentionKind.COURT_DECISION,
            authority_kind=AuthorityKind.COURT,
            # Within the margins too (pdftotext reads the cells beside it between its lines: its letters are
            # not checked).
            authority_name="المحكمة" * 28,
            reference_number=f"R{number}/2026",
            decided_on=date(2026, 1, number),
            legal_basis="Code de la famille",
            text_ar=text,
            by=officer,
        )
    document = issue_at_counter(
        act, CivilStatusDocument.BIRTH_FULL_COPY, office=temara_office, by=agent, requester=HOLDER, purpose="Visa"
    )
    path = pdf_file(document, tmp_path)
    # The body's text as pdftotext reads it, column by column and page after page, without the breaks the layout
    # allowed in the long words (U+200B), the bidi marks, the spaces and the line ends.
    text = re.sub(r"\s", "", without_bidi_marks("".join(pages_text(path, body_only=True, columns=True))))
    for written in [LONG_LATIN_NAME, LONG_ARABIC_NAME, LONG_MENTION, WORDY_MENTION.replace(" ", "")]:
        assert written in text.replace("\u200b", "")
    assert LATIN_NAME in text and ARABIC_NAME in text
    boxes = text_boxes(path)
    assert boxes
    outside = [box for box in boxes if box[2] < MARGIN - 1 or box[4] > PAGE_WIDTH - MARGIN + 1]
    assert not outside, outside
