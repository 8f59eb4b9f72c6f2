import pytest

from solidarity_atlas.extract.dates import find_dates, parse_date


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Athens, 11th of December 2011", "2011-12-11"),
        ("Αθήνα, 18 Δεκεμβρίου 2011", "2011-12-18"),
        ("Москва, 20 декабря 2011 г.", "2011-12-20"),
        ("İstanbul, 26 Ekim 2015", "2015-10-26"),
        ("Berlin, 21. Dezember 2015", "2015-12-21"),
        ("Lisboa, 7 de novembro de 2022", "2022-11-07"),
        ("Paris, le 20 mai 2021", "2021-05-20"),
        ("Geneva, June 4, 2017", "2017-06-04"),
        ("Athens, 14/4/2018", "2018-04-14"),
        ("12/23/11, 3:47 PM", "2011-12-23"),  # US post stamp: month first
        ("Опубликовано: 25.07.2017", "2017-07-25"),
        ("in December 2011", "2011-12"),
        ("2016-12-07", "2016-12-07"),
    ],
)
def test_dates_in_the_corpus_languages(text: str, value: str) -> None:
    assert [m.value for m in find_dates(text)] == [value]


def test_partial_dates_keep_no_year_until_given_one() -> None:
    (mention,) = find_dates("the strikers had been shot down on 16.12. and their leaders arrested")
    assert not mention.has_year
    assert mention.with_year(2011).value == "2011-12-16"


def test_impossible_dates_are_not_dates() -> None:
    assert find_dates("31.02.2011") == []


def test_offsets_point_at_the_date() -> None:
    text = "Adopted in Athens, 11 December 2011."
    (mention,) = find_dates(text, offset=100)
    assert text[mention.start - 100 : mention.end - 100] == "11 December 2011"


def test_dateparser_is_the_fallback_for_forms_outside_the_grammar() -> None:
    assert parse_date("2011 December 11", ["en"]) == "2011-12-11"
