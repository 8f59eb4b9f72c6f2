"""Events and demands: types, dates resolved against the document, counts in words and digits, evidence."""

from __future__ import annotations

from solidarity_atlas.extract import events, sentences
from solidarity_atlas.extract.demands import codes_of, find_demands
from solidarity_atlas.ingest.reader import page_from_bytes
from solidarity_atlas.model import Page


def page_of(text: str) -> Page:
    return page_from_bytes("t.txt", text.encode("utf-8"), is_html=False)


def found(text: str, doc_date: str | None = None) -> list[events.Found]:
    page = page_of(text)
    return events.find_events(sentences.split(page, page.main_blocks), doc_date)


def test_counts_in_digits_and_words_in_several_languages() -> None:
    for text, count in [
        ("In Zhanaozen 70 workers were killed by the police during the strike.", 70),
        ("In Zhanaozen seventy workers were killed by the police during the strike.", 70),
        ("В Жанаозене семьдесят рабочих были убиты полицией во время забастовки.", 70),
        ("According to official figures, 164 people have been killed in the clashes.", 164),
        ("The police arrested more than 8,000 people across the country in one week.", 8000),
    ]:
        (event,) = [f.event for f in found(text) if f.event.type in ("killing", "detention")]
        assert event.count == count, text


def test_vague_quantities_and_measures_are_no_count() -> None:
    (killing,) = [f for f in found("Dozens of striking workers were killed by the police in Zhanaozen.")
                  if f.event.type == "killing"]
    assert killing.event.count is None and killing.claim == "dozens"
    (sentence,) = [f.event for f in found("The court sentenced the union leader to seven years in prison.")
                   if f.event.type == "sentencing"]
    assert sentence.count is None


def test_dates_resolved_against_the_document() -> None:
    text = (
        "On 16.12. last year police opened fire and killed striking oil workers in Zhanaozen.\n\n"
        "In April the court sentenced the union leader Nurbek Kushakbaev to prison.\n"
    )
    by_type = {f.event.type: f.event for f in found(text, doc_date="2012-12-16")}
    assert by_type["killing"].date == "2011-12-16"  # "16.12. last year", from a text of December 2012
    assert by_type["sentencing"].date == "2012-04"  # "In April", the year the text is about
    assert by_type["killing"].place == "Zhanaozen" and by_type["killing"].country == "KZ"


def test_calls_and_plans_are_not_events() -> None:
    text = "We demand the release of all arrested workers. A rally will be held tomorrow outside the embassy.\n"
    assert found(text) == []


def test_one_happening_told_twice_is_one_event() -> None:
    text = (
        "On 16 December 2011 the police killed seventeen workers in Zhanaozen.\n\n"
        "The killings in Zhanaozen on 16 December 2011 shocked the country.\n"
    )
    killings = [f for f in found(text) if f.event.type == "killing"]
    assert len(killings) == 1 and killings[0].event.count == 17 and len(killings[0].sources) == 1


def test_evidence_quotes_the_sentence_at_its_offsets() -> None:
    text = "Home | News | Contact\n\nOn 4 June 2012 the court of Aktau sentenced thirteen oil workers to prison.\n"
    page = page_of(text)
    (item,) = [f for f in events.find_events(sentences.split(page, page.main_blocks), None)
               if f.event.type == "sentencing"]
    assert page.text[item.evidence.start:item.evidence.end] == item.evidence.text
    assert item.event.date == "2012-06-04" and item.event.count == 13


def test_demands_are_coded_from_cue_sentences_and_lists() -> None:
    text = (
        "The strike goes on.\n\nWe demand:\n"
        "• the immediate release of all arrested workers;\n"
        "• the right to form trade unions and to strike;\n"
        "• the punishment of those who ordered the shooting;\n"
        "• a national prize for the brigades of doctors.\n"
    )
    page = page_of(text)
    codes = [d.code for d in find_demands(sentences.split(page, page.main_blocks))]
    assert codes == ["release_prisoners", "union_rights", "strike_rights", "accountability", "other"]


def test_demand_codes_in_other_languages() -> None:
    assert "release_prisoners" in codes_of("немедленно освободить всех задержанных участников забастовки")
    assert "accountability" in codes_of("juicio y castigo a todos los responsables")
    assert "party_rights" in codes_of("das Verbot der KPU und die antikommunistischen Gesetze aufzuheben")


def test_the_claimed_figure_is_evidence_with_offsets(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from typer.testing import CliRunner

    from solidarity_atlas.cli import app

    doc = tmp_path / "news.txt"
    doc.write_text(
        "Massacre in Zhanaozen\n\nOn 16 December 2011 in Zhanaozen seventy striking workers were killed by the "
        "police, and dozens were arrested.\n\nThe oil workers of Ozenmunaigas had been on strike since May for the "
        "wage rises they had been promised and for the right to elect their own union leaders. The company answered "
        "with dismissals and the courts with trials, while the government refused every negotiation.\n\n"
        "Athens, 17 December 2011\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["extract", str(doc), "--evidence"])
    record = json.loads(result.stdout.splitlines()[0])
    text = page_of(doc.read_text(encoding="utf-8")).text
    claims = {k: v for k, v in record["evidence"].items() if k.endswith(".claim")}
    assert {v["text"] for v in claims.values()} >= {"seventy"}
    for span in claims.values():
        assert text[span["start"]:span["end"]].casefold() == span["text"].casefold()
