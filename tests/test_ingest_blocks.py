from solidarity_atlas.ingest.chrome import line_reason, mark_lines, nav_line
from solidarity_atlas.ingest.html import render
from solidarity_atlas.ingest.reader import page_from_bytes
from solidarity_atlas.ingest.text import blocks_of, line_key

PAGE = """Workers' Herald
Home | News | Statements | Contact

Solidarity with the dockers of Piraeus

The undersigned parties salute the dockers of Piraeus, on strike since Monday against the sale of the port.

Athens, 3 March 2016

Share on Facebook | Share on Twitter
Tags: Greece, dockers, strikes
Related posts
Another headline about something else
Yet another headline
"""


def test_site_chrome_lines_are_marked_and_text_is_kept() -> None:
    blocks = blocks_of(PAGE)
    kept = [PAGE[b.start : b.end] for b in blocks if b.drop is None]
    assert kept == [
        "Solidarity with the dockers of Piraeus",
        "The undersigned parties salute the dockers of Piraeus, on strike since Monday against the sale of the port.",
        "Athens, 3 March 2016",
    ]
    reasons = {PAGE[b.start : b.end]: b.drop for b in blocks}
    assert reasons["Workers' Herald"] == "site header"
    assert reasons["Home | News | Statements | Contact"] == "navigation"
    assert reasons["Yet another headline"] == "related posts"


def test_block_offsets_point_into_the_text() -> None:
    for block in blocks_of(PAGE):
        assert PAGE[block.start : block.end].strip() == PAGE[block.start : block.end]


def test_rules_for_single_lines() -> None:
    assert nav_line("Accueil > International > Amérique latine")
    assert nav_line("Statements > Kazakhstan")
    assert not nav_line("Communist Party of Greece, Portuguese Communist Party, Communist Party of Spain")
    assert line_reason("Photo: soma-funeral-2014-05-15.jpg") == "image file name"
    assert line_reason("• En Es Ru") == "language switch"
    assert line_reason("We use cookies to count visits. Accept?") == "cookie notice"
    assert line_reason("April 2, 2025 - April 6, 2025 - Madurai, India 24th Congress of the CPI(M)") == "calendar"
    assert line_reason("Поделиться: ВКонтакте | Facebook") is not None
    assert line_reason("1. Communist Party of Albania") is None
    assert line_reason("• Release all those imprisoned, under political motives") is None


def test_teasers_of_other_posts_are_chrome() -> None:
    lines = ["We demand an end to repression.", "PAME visit to Denmark", "On 4 and 5 June, PAME paid a visit..."]
    assert mark_lines(lines) == [None, "related headline", "related teaser"]


def test_glued_photo_id_is_cut_from_the_first_line() -> None:
    text = "12249714_721192111315519_7712115224384555031_nThe participants of the meeting demand it."
    (block,) = blocks_of(text)
    assert text[block.start : block.end].startswith("The participants")


def test_recurring_lines_are_chrome_unless_most_of_the_page_recurs() -> None:
    menu = "Links to the archive of the party"
    text = f"{menu}\nOur statement on the strike\nWe salute the strikers of the port and their families.\n"
    blocks = blocks_of(text, frozenset({line_key(menu)}))
    assert [b.drop for b in blocks] == ["recurring line", None, None]
    copy = frozenset(line_key(line) for line in text.splitlines())
    assert all(b.drop is None for b in blocks_of(text, copy))


TABLE_PAGE = """<html><head><title>Statement | Site</title></head><body>
<table><tr><td class="menu"><a href="/">Home</a><br><a href="/n">News</a></td>
<td><h1>Stop the repression in Kazakhstan</h1>
<p>The parties below condemn the arrests of the striking oil workers and demand their release at once.</p>
<p>They call on the workers of all countries to stand by the oil workers of Mangystau.</p>
<ol><li>Communist Party of Greece</li><li>Portuguese Communist Party</li><li>Communist Party of Turkey</li></ol>
</td></tr></table><footer>Copyright 2012</footer></body></html>"""


def test_html_lists_in_table_layouts_are_kept() -> None:
    rendered = render(TABLE_PAGE)
    kept = [rendered.text[b.start : b.end] for b in rendered.blocks if b.drop is None]
    for party in ("Communist Party of Greece", "Portuguese Communist Party", "Communist Party of Turkey"):
        assert party in kept
    assert "Home" not in kept
    assert "Copyright 2012" not in kept


def test_deeply_nested_html_does_not_overflow() -> None:
    html = "<html><body>" + "<div>" * 10_000 + "<p>Deep statement text of the party.</p>" + "</div>" * 10_000
    page = page_from_bytes("deep.html", (html + "</body></html>").encode(), is_html=True)
    assert "Deep statement text of the party." in page.text


def test_markdown_marks_are_removed_and_headings_known() -> None:
    md = (
        "[Home](/) | [News](/n) | [Contact](/c)\n\n# Hands off Cuba!\n\n"
        "**Lisbon, 2 November 2017** — The party welcomes the vote.\n"
    )
    page = page_from_bytes("x.md", md.encode(), is_html=False, markdown=True)
    heads = [page.block_text(b) for b in page.blocks if b.level == 1]
    assert heads == ["Hands off Cuba!"]
    assert "**" not in page.text and "](" not in page.text
