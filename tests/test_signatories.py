"""The signatory-list grammar: one small statement per list style and per trap."""

from __future__ import annotations

from pathlib import Path

import pytest

from solidarity_atlas.extract.pipeline import extract
from solidarity_atlas.extract.signatories import Item, flags, inline_items, list_items, org_score
from solidarity_atlas.ingest.reader import page_from_bytes
from solidarity_atlas.model import Page, Record
from solidarity_atlas.resolve import orgs

# Two paragraphs of running text, enough for the document to read as a statement (not a menu page).
PREAMBLE = """Joint Statement of Communist and Workers' Parties on the war in Sudan

We, the undersigned communist and workers' parties, condemn the war that is devastating Sudan and killing \
thousands of working people, and we denounce the imperialist powers and regional monopolies that arm both sides \
for the control of gold, land and ports.

We express our solidarity with the Sudanese Communist Party and with the workers, peasants and youth of Sudan who \
struggle for peace, for the withdrawal of all foreign forces and for their right to decide their own future.

"""

RU_PREAMBLE = """Совместное заявление коммунистических и рабочих партий о войне в Судане

Мы, нижеподписавшиеся коммунистические и рабочие партии, осуждаем войну, которая опустошает Судан и уносит \
жизни тысяч трудящихся, и разоблачаем империалистические державы, вооружающие обе стороны ради контроля над \
золотом и портами.

Мы выражаем солидарность с Суданской коммунистической партией и со всеми трудящимися Судана, которые борются \
за мир, за вывод всех иностранных сил и за право самим решать своё будущее.

"""


@pytest.fixture(autouse=True)
def _no_judgements(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolve against the registry alone, whatever judgements file the working folder holds."""
    monkeypatch.setenv("SOLIDARITY_JUDGEMENTS", str(tmp_path / "absent.jsonl"))
    orgs._resolver.cache_clear()


def text_page(text: str) -> Page:
    return page_from_bytes("statement.txt", text.encode("utf-8"), is_html=False)


def html_page(html: str) -> Page:
    return page_from_bytes("statement.html", html.encode("utf-8"), is_html=True)


def listed(page: Page, *, cue_required: bool = False) -> list[Item]:
    return list_items(page, page.main_blocks, cue_required=cue_required)


def raws(items: list[Item]) -> list[str]:
    return [i.raw for i in items]


def inline(text: str) -> list[str]:
    page = text_page(text)
    return raws(inline_items(page, page.main_blocks))


def run(text: str) -> Record:
    return extract(text_page(text))


def assert_located(page: Page, items: list[Item]) -> None:
    """Every item's offsets cite it in the page text."""
    for item in items:
        assert page.text[item.start : item.end] == item.raw


THREE = ["Communist Party of Bangladesh", "Communist Party of Greece", "Communist Party of Turkey"]


# --- numbered lists -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "numbers",
    [["1.", "2.", "3."], ["1)", "2)", "3)"], ["(1)", "(2)", "(3)"], ["1 -", "2 -", "3 -"]],
    ids=["dot", "paren", "brackets", "dash"],
)
def test_numbered_list_markers_are_taken_off(numbers: list[str]) -> None:
    body = "Signed by:\n" + "".join(f"{n} {name}\n" for n, name in zip(numbers, THREE, strict=True))
    page = text_page(PREAMBLE + body)
    items = listed(page)
    assert raws(items) == THREE
    assert [i.number for i in items] == [1, 2, 3]
    assert_located(page, items)


def test_numbered_list_resolves_through_the_whole_pipeline() -> None:
    record = run(PREAMBLE + "Signed by:\n1. Communist Party of Albania\n2. Communist Party of Britain\n"
                 "3. Communist Party of Greece\n4. Workers' Party of Ireland\n")
    assert record.doc_type == "joint_statement"
    assert [o.org_id for o in record.signatories] == [
        "communist-party-of-albania-al", "communist-party-of-britain-gb", "communist-party-of-greece-gr",
        "workers-party-of-ireland-ie",
    ]
    assert record.flags == []


# --- bulleted and bare lists --------------------------------------------------------------------------------------


@pytest.mark.parametrize("bullet", ["•", "-", "*", "▪"])
def test_bullet_markers_are_taken_off(bullet: str) -> None:
    page = text_page(PREAMBLE + "Signed by:\n" + "".join(f"{bullet} {name}\n" for name in THREE))
    items = listed(page)
    assert raws(items) == THREE
    assert all(i.number is None for i in items)
    assert_located(page, items)


def test_one_organisation_a_line_without_marker_or_cue() -> None:
    names = [*THREE, "Workers' Party of Ireland"]
    page = text_page(PREAMBLE + "\n".join(names) + "\n")
    assert raws(listed(page)) == names
    assert [o.org_id for o in extract(page).signatories][-1] == "workers-party-of-ireland-ie"


# --- country written beside the name ------------------------------------------------------------------------------


def test_party_comma_country() -> None:
    lines = ["Communist Party of Bangladesh, Bangladesh", "Communist Party of Greece, Greece", "AKEL, Cyprus"]
    record = run(PREAMBLE + "Signatories:\n" + "\n".join(lines) + "\n")
    assert [o.raw for o in record.signatories] == lines
    assert [o.country for o in record.signatories] == ["BD", "GR", "CY"]
    assert record.signatories[2].org_id == "progressive-party-of-working-people-cy"


def test_party_country_in_brackets() -> None:
    lines = ["Communist Party of Bangladesh (Bangladesh)", "Communist Party of Greece (Greece)",
             "Progressive Party of Working People (Cyprus)"]
    record = run(PREAMBLE + "Signatories:\n" + "\n".join(lines) + "\n")
    assert [o.raw for o in record.signatories] == lines
    assert [o.org_id for o in record.signatories] == [
        "communist-party-of-bangladesh-bd", "communist-party-of-greece-gr", "progressive-party-of-working-people-cy",
    ]


def test_country_colon_party() -> None:
    lines = ["Bangladesh: Communist Party of Bangladesh", "Greece: Communist Party of Greece", "Cyprus: AKEL"]
    record = run(PREAMBLE + "Signatories:\n" + "\n".join(lines) + "\n")
    # The country prefix is part of the raw item; the colon does not make it a sub-heading.
    assert [o.raw for o in record.signatories] == lines
    assert [o.country for o in record.signatories] == ["BD", "GR", "CY"]


def test_party_dash_abbreviation() -> None:
    lines = ["All-Workers Militant Front – PAME", "Progressive Party of Working People – AKEL",
             "Communist Party of Turkey – TKP"]
    record = run(PREAMBLE + "Signatories:\n" + "\n".join(lines) + "\n")
    assert [o.raw for o in record.signatories] == lines
    assert [o.org_id for o in record.signatories] == [
        "all-workers-militant-front-gr", "progressive-party-of-working-people-cy", "communist-party-of-turkey-tr",
    ]


# --- lists written in a sentence ----------------------------------------------------------------------------------


def test_signed_by_a_b_and_c() -> None:
    text = ("The statement condemning the prosecution of communists in Poland for their political views and the ban "
            "on their symbols was signed by the Communist Party of Greece, the Portuguese Communist Party and the "
            "Communist Party of Mexico. The parties call on workers everywhere to defend the right of communists to "
            "organise freely.\n")
    assert inline(text) == ["Communist Party of Greece", "Portuguese Communist Party", "Communist Party of Mexico"]


def test_co_signed_by_at_the_end_of_a_sentence() -> None:
    text = ("The message of solidarity to the miners who have occupied the pit against the closure plan of the "
            "company was co-signed by Communist Party of Turkey, Communist Party of Greece and AKEL.\n")
    assert inline(text) == ["Communist Party of Turkey", "Communist Party of Greece", "AKEL"]


def test_co_signed_by_with_articles_and_a_bare_acronym_last() -> None:
    text = ("The message of solidarity to the miners who have occupied the pit against the closure plan of the "
            "company was co-signed by the Communist Party of Turkey, the Communist Party of Greece and AKEL.\n")
    assert inline(text) == ["Communist Party of Turkey", "Communist Party of Greece", "AKEL"]


def test_co_signed_by_in_a_parenthetic_clause() -> None:
    text = ("The message of solidarity to the miners, co-signed by the Communist Party of Turkey, the Communist "
            "Party of Greece and the Progressive Party of Working People, was handed over to the strike committee.\n")
    assert inline(text) == ["Communist Party of Turkey", "Communist Party of Greece",
                            "Progressive Party of Working People"]


def test_portuguese_subscrita_pela_pelo_pela_que_exige() -> None:
    text = ("A declaração conjunta, subscrita pela Juventude Comunista Portuguesa, pelo Partido Comunista Português "
            "e pela Confederação Geral dos Trabalhadores Portugueses, que exige o fim imediato dos bombardeamentos "
            "sobre Gaza, foi entregue hoje na embaixada.\n")
    assert inline(text) == ["Juventude Comunista Portuguesa", "Partido Comunista Português",
                            "Confederação Geral dos Trabalhadores Portugueses"]


def test_semicolons_after_signed_by_colon() -> None:
    text = ("The statement on the anniversary of the October Revolution was signed by: Communist Party of "
            "Bangladesh; Communist Party of Greece; Communist Party of Turkey; New Communist Party of Britain. The "
            "signatories salute the working class of every country.\n")
    assert inline(text) == [*THREE, "New Communist Party of Britain"]


def test_inline_items_are_located_in_the_page() -> None:
    page = text_page("The appeal for the release of the dockers arrested on Monday at the container terminal was "
                     "signed by the Communist Party of Greece, PAME and the Communist Party of Turkey.\n")
    items = inline_items(page, page.main_blocks)
    assert raws(items) == ["Communist Party of Greece", "PAME", "Communist Party of Turkey"]
    assert all(i.inline for i in items)
    assert_located(page, items)


@pytest.mark.parametrize(
    "tail",
    [
        "was signed by President Nguyen Van Thanh.",
        "was signed by General Secretary Dimitris Koutsoumbas, who also addressed the rally in the evening.",
    ],
)
def test_a_person_after_signed_by_is_not_an_item(tail: str) -> None:
    text = ("The message of greetings to the congress, which was held in Hanoi with hundreds of delegates from every "
            f"province, {tail} The congress elected the new central committee.\n")
    assert inline(text) == []


def test_a_person_on_behalf_of_an_association_is_not_an_item() -> None:
    text = ("The message of greetings to the congress, which was held in Hanoi with hundreds of delegates from every "
            "province, was signed by President Nguyen Van Thanh on behalf of the friendship association of the two "
            "peoples. The congress elected the new central committee.\n")
    assert not any(raw.startswith("President") for raw in inline(text))


# --- lists broken up ----------------------------------------------------------------------------------------------


def test_list_split_into_blocks_by_blank_lines() -> None:
    body = ("Signed by:\n\nCommunist Party of Bangladesh\nCommunist Party of India (Marxist)\n\n"
            "Communist Party of Greece\nCommunist Party of Turkey\n\nWorkers' Party of Ireland\n")
    assert raws(listed(text_page(PREAMBLE + body))) == [
        "Communist Party of Bangladesh", "Communist Party of India (Marxist)", "Communist Party of Greece",
        "Communist Party of Turkey", "Workers' Party of Ireland",
    ]


def test_region_sub_headings_are_not_items() -> None:
    body = ("Signed by:\n\nEurope\nCommunist Party of Greece\nCommunist Party of Turkey\nAsia\n"
            "Communist Party of Bangladesh\nCommunist Party of India (Marxist)\nAfrica\n"
            "South African Communist Party\n")
    record = run(PREAMBLE + body)
    assert [o.raw for o in record.signatories] == [
        "Communist Party of Greece", "Communist Party of Turkey", "Communist Party of Bangladesh",
        "Communist Party of India (Marxist)", "South African Communist Party",
    ]


def test_two_word_region_sub_headings_are_not_items() -> None:
    body = ("Signed by:\n\nEurope\nCommunist Party of Greece\nCommunist Party of Turkey\nLatin America\n"
            "Communist Party of Cuba\nBrazilian Communist Party\nMiddle East\nLebanese Communist Party\n")
    record = run(PREAMBLE + body)
    assert [o.raw for o in record.signatories] == [
        "Communist Party of Greece", "Communist Party of Turkey", "Communist Party of Cuba",
        "Brazilian Communist Party", "Lebanese Communist Party",
    ]


def test_solidnet_parties_sub_heading_is_not_an_item() -> None:
    body = ("Signatories\n\nSolidNet Parties\nCommunist Party of Greece\nCommunist Party of Turkey\nOther Parties\n"
            "Communist Party of Bangladesh\nWorkers' Party of Ireland\n")
    items = raws(listed(text_page(PREAMBLE + body)))
    assert items == ["Communist Party of Greece", "Communist Party of Turkey", "Communist Party of Bangladesh",
                     "Workers' Party of Ireland"]


def test_html_region_headings_are_not_items() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in PREAMBLE.split("\n\n")[1:3])
    html = (f"<html lang=\"en\"><body><main><article><h1>Joint Statement on the war in Sudan</h1>{paragraphs}"
            "<h2>Signatories</h2><h3>Europe</h3><ul><li>Communist Party of Greece</li><li>Communist Party of Turkey"
            "</li></ul><h3>Asia</h3><ul><li>Communist Party of Bangladesh</li><li>Communist Party of India (Marxist)"
            "</li></ul></article></main></body></html>")
    record = extract(html_page(html))
    assert [o.org_id for o in record.signatories] == [
        "communist-party-of-greece-gr", "communist-party-of-turkey-tr", "communist-party-of-bangladesh-bd",
        "communist-party-of-india-marxist-in",
    ]


def test_list_goes_on_after_a_page_break() -> None:
    body = ("Signed by:\n1. Communist Party of Albania\n2. Communist Party of Bangladesh\n"
            "3. Communist Party of Britain\n\n– 2 –\n"
            "Joint Statement on the war in Sudan                         Page 2 of 2\n"
            "4. Communist Party of Greece\n5. Communist Party of Turkey\n")
    page = text_page(PREAMBLE + body)
    items = listed(page)
    assert raws(items) == ["Communist Party of Albania", "Communist Party of Bangladesh", "Communist Party of Britain",
                           "Communist Party of Greece", "Communist Party of Turkey"]
    assert [i.number for i in items] == [1, 2, 3, 4, 5]
    assert flags(items) == []


def test_running_header_on_its_own_line_is_not_an_item() -> None:
    header = "SolidNet – Joint Statement on Sudan"
    body = ("Signed by:\n1. Communist Party of Albania\n2. Communist Party of Bangladesh\n"
            f"3. Communist Party of Britain\n\n2\n\n{header}\n\n4. Communist Party of Greece\n"
            "5. Communist Party of Turkey\n")
    assert header not in raws(listed(text_page(f"{header}\n\n" + PREAMBLE + body)))


def test_two_columns_left_column_first() -> None:
    body = ("Signed by:\n"
            "Communist Party of Albania          Communist Party of Greece\n"
            "Communist Party of Bangladesh       Communist Party of Turkey\n"
            "Communist Party of Britain          Workers' Party of Ireland\n")
    page = text_page(PREAMBLE + body)
    items = listed(page)
    assert raws(items) == ["Communist Party of Albania", "Communist Party of Bangladesh", "Communist Party of Britain",
                           "Communist Party of Greece", "Communist Party of Turkey", "Workers' Party of Ireland"]
    assert_located(page, items)


# --- other scripts ------------------------------------------------------------------------------------------------


def test_cyrillic_list() -> None:
    body = ("Подписали:\n1. Коммунистическая партия Греции\n2. Коммунистическая партия Российской Федерации\n"
            "3. Коммунистическая партия Турции\n4. Союз коммунистических партий — КПСС\n")
    record = run(RU_PREAMBLE + body)
    assert [o.raw for o in record.signatories] == [
        "Коммунистическая партия Греции", "Коммунистическая партия Российской Федерации",
        "Коммунистическая партия Турции", "Союз коммунистических партий — КПСС",
    ]
    orgs_ = record.signatories
    assert orgs_[0].org_id == "communist-party-of-greece-gr"
    assert orgs_[2].org_id == "communist-party-of-turkey-tr"
    assert orgs_[3].org_id == "union-of-communist-parties-communist-party-of-the-soviet-union-int"
    assert record.flags == []


def test_cyrillic_name_with_one_capital_is_an_item() -> None:
    body = ("Подписали:\n1. Коммунистическая партия Греции\n2. Российская коммунистическая рабочая партия\n"
            "3. Коммунистическая партия Турции\n")
    record = run(RU_PREAMBLE + body)
    assert [o.org_id for o in record.signatories] == [
        "communist-party-of-greece-gr", "russian-communist-workers-party-ru", "communist-party-of-turkey-tr",
    ]
    assert record.flags == []


def test_greek_list() -> None:
    preamble = (
        "Κοινή Ανακοίνωση Κομμουνιστικών και Εργατικών Κομμάτων για τον πόλεμο στο Σουδάν\n\n"
        "Τα κόμματα που υπογράφουν καταδικάζουν τον πόλεμο που ερημώνει το Σουδάν και σκοτώνει χιλιάδες "
        "εργαζόμενους, και καταγγέλλουν τις ιμπεριαλιστικές δυνάμεις που εξοπλίζουν και τις δύο πλευρές για τον "
        "έλεγχο του χρυσού και των λιμανιών.\n\n"
        "Εκφράζουμε την αλληλεγγύη μας στο Κομμουνιστικό Κόμμα Σουδάν και σε όλους τους εργαζόμενους του Σουδάν που "
        "αγωνίζονται για την ειρήνη και για την αποχώρηση όλων των ξένων δυνάμεων από τη χώρα τους.\n\n"
    )
    body = ("Υπογράφουν:\n• Κομμουνιστικό Κόμμα Ελλάδας\n• Ανορθωτικό Κόμμα Εργαζόμενου Λαού\n"
            "• Πανεργατικό Αγωνιστικό Μέτωπο\n")
    record = run(preamble + body)
    assert [o.raw for o in record.signatories] == [
        "Κομμουνιστικό Κόμμα Ελλάδας", "Ανορθωτικό Κόμμα Εργαζόμενου Λαού", "Πανεργατικό Αγωνιστικό Μέτωπο",
    ]
    assert [o.org_id for o in record.signatories] == [
        "communist-party-of-greece-gr", "progressive-party-of-working-people-cy", "all-workers-militant-front-gr",
    ]


# --- raw as written -----------------------------------------------------------------------------------------------


def test_raw_is_the_item_as_written_minus_its_marker() -> None:
    lines = ["1.  Communist Party of Greece (KKE)", "2) «Partido Comunista de los Trabajadores de España» – PCTE",
             "(3) Hungarian Workers' Party, Hungary", "4 - CP of Malta"]
    page = text_page(PREAMBLE + "Signed by:\n" + "\n".join(lines) + "\n")
    items = listed(page)
    assert raws(items) == [
        "Communist Party of Greece (KKE)", "«Partido Comunista de los Trabajadores de España» – PCTE",
        "Hungarian Workers' Party, Hungary", "CP of Malta",
    ]
    assert_located(page, items)
    record = extract(page)
    assert [o.raw for o in record.signatories] == raws(items)
    assert record.signatories[3].name == "Communist Party of Malta"


# --- not signatories ----------------------------------------------------------------------------------------------


def test_demand_bullets_and_related_headlines_are_not_signatories() -> None:
    body = ("We demand:\n• Release all those imprisoned for their political activity\n"
            "• An end to the sale of weapons to the warring generals\n"
            "- the immediate release of the trade unionists arrested in Port Sudan\n"
            "- the withdrawal of all foreign troops and mercenaries\n\n"
            "Signed by:\n" + "\n".join(THREE) + "\n\n"
            "Related posts\nCommunist Party of Greece: Statement on the elections in Portugal\n"
            "Portuguese Communist Party holds its 22nd Congress\n"
            "Workers' Party of Ireland marks the anniversary of the Easter Rising\n")
    record = run(PREAMBLE + body)
    assert [o.raw for o in record.signatories] == THREE


def test_demand_bullets_alone_are_no_list() -> None:
    body = ("We demand:\n• Release all those imprisoned, under political motives\n"
            "• Stop the persecution of trade unionists\n"
            "- the immediate release of the trade unionists arrested in Port Sudan\n"
            "- the lifting of the state of emergency\n")
    assert listed(text_page(PREAMBLE + body)) == []


def test_tag_bullets_after_the_list_are_not_signatories() -> None:
    record = run(PREAMBLE + "Signed by:\n" + "\n".join(THREE) + "\n\n• Central\n• Syria\n")
    assert [o.raw for o in record.signatories] == THREE


def test_category_tag_after_the_list_is_not_a_signatory() -> None:
    record = run(PREAMBLE + "Signed by:\n" + "\n".join(THREE) + "\n\n• Central\n• Syria\n• Joint Statements\n")
    assert [o.raw for o in record.signatories] == THREE


def test_menu_line_and_calendar_line_are_not_signatories() -> None:
    menu = ("Communist Party of Greece | Portuguese Communist Party | Communist Party of Turkey | "
            "Communist Party of Britain")
    calendar = "November 7, 2025 - Athens, Greece International Meeting of Communist and Workers' Parties"
    record = run(menu + "\n" + PREAMBLE + "Signed by:\n" + "\n".join(THREE) + f"\n\n{calendar}\n")
    assert [o.raw for o in record.signatories] == THREE


def test_html_chrome_is_not_signatories() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in PREAMBLE.split("\n\n")[1:3])
    html = (
        "<!DOCTYPE html><html lang=\"en\"><head><title>Joint Statement on Sudan</title></head><body>"
        "<nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/kke\">Communist Party of Greece</a></li>"
        "<li><a href=\"/tkp\">Communist Party of Turkey</a></li><li><a href=\"/pcp\">Portuguese Communist Party</a>"
        "</li></ul></nav><main><article><h1>Joint Statement on the war in Sudan</h1>" + paragraphs +
        "<p>We demand:</p><ul><li>Release all those imprisoned for their political activity</li>"
        "<li>the immediate release of the trade unionists arrested in Port Sudan</li></ul>"
        "<p>Signed by:</p><ol><li>Communist Party of Albania</li><li>Communist Party of Bangladesh</li>"
        "<li>Workers' Party of Ireland</li></ol>"
        "<div class=\"tags\"><ul><li>Central</li><li>Syria</li></ul></div></article>"
        "<aside class=\"sidebar\"><h3>Calendar</h3><p>November 7, 2025 - Athens, Greece International Meeting of "
        "Communist and Workers' Parties</p></aside>"
        "<section class=\"related\"><h3>Related posts</h3><ul><li><a href=\"/a\">Communist Party of Greece: "
        "Statement on the elections in Portugal</a></li><li><a href=\"/b\">Portuguese Communist Party holds its "
        "22nd Congress</a></li></ul></section></main><footer>© 2025 SolidNet</footer></body></html>"
    )
    record = extract(html_page(html))
    assert [o.raw for o in record.signatories] == [
        "Communist Party of Albania", "Communist Party of Bangladesh", "Workers' Party of Ireland",
    ]


def test_a_menu_of_party_links_gives_no_signatories() -> None:
    menu = ("Member parties\n\nCommunist Party of Albania\nCommunist Party of Bangladesh\nCommunist Party of Britain\n"
            "Communist Party of Greece\nCommunist Party of Turkey\nPortuguese Communist Party\n")
    record = run(menu)
    assert record.doc_type == "other"
    assert record.signatories == []
    html = ("<html><body><main><h1>Parties</h1><ul>" + "".join(
        f"<li><a href=\"/{i}\">{name}</a></li>" for i, name in enumerate(THREE)) + "</ul></main></body></html>")
    assert extract(html_page(html)).signatories == []


def test_org_score_tells_names_from_other_short_lines() -> None:
    assert org_score("Communist Party of Greece") == 1.0
    assert org_score("PAME") == 1.0
    assert org_score("AKEL, Cyprus") == 1.0
    assert org_score("Κομμουνιστικό Κόμμα Ελλάδας") == 1.0
    for line in ["Syria", "Central", "Europe", "the immediate release of all political prisoners",
                 "Release all those imprisoned, under political motives", "NATO"]:
        assert org_score(line) == 0.0, line


# --- flags --------------------------------------------------------------------------------------------------------


def test_numbering_gap_repeat_and_duplicate_signatory_are_flagged() -> None:
    body = ("Signed by:\n1. Communist Party of Albania\n2. Communist Party of Bangladesh\n"
            "4. Communist Party of Greece\n4. Communist Party of Turkey\n5. Communist Party of Bangladesh\n"
            "6. Workers' Party of Ireland\n")
    page = text_page(PREAMBLE + body)
    assert flags(listed(page)) == ["numbering_gap:3", "numbering_duplicate:4",
                                   "duplicate_signatory:Communist Party of Bangladesh"]
    record = extract(page)
    assert "numbering_gap:3" in record.flags
    assert "numbering_duplicate:4" in record.flags
    assert "duplicate_signatory:Communist Party of Bangladesh" in record.flags
    assert len(record.signatories) == 6  # nothing is dropped


def test_a_gap_of_several_numbers_flags_each_missing_number() -> None:
    items = [Item("Communist Party of Albania", 0, 1, 1), Item("Communist Party of Greece", 2, 3, 4)]
    assert flags(items) == ["numbering_gap:2", "numbering_gap:3"]


def test_duplicate_signatory_ignores_case_and_spacing() -> None:
    items = [Item("Communist Party of Greece", 0, 1), Item("Communist Party of Turkey", 2, 3),
             Item("communist party  of Greece", 4, 5)]
    assert flags(items) == ["duplicate_signatory:communist party  of Greece"]


def test_a_clean_list_has_no_flags() -> None:
    body = "".join(f"{n}. {name}\n" for n, name in enumerate(THREE, 1))
    items = listed(text_page(PREAMBLE + "Signed by:\n" + body))
    assert len(items) == 3
    assert flags(items) == []
