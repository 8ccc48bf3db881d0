"""The frontier, decision by decision: the promise and its words, the priority, the skips and their reasons, what
an earlier run's verdict and the revisit policy change, held related links, listings worth following."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from archive.reasons import Category
from archive.store.state import READ, UNREAD, SqliteState, UrlState
from archive.text.relevance import Topic
from crawler.discovery.frontier import TOPIC_LISTING_PROMISE, Context, Frontier
from crawler.discovery.ledger import FETCHED, SKIPPED, Ledger
from crawler.discovery.parsers import Entry
from crawler.discovery.revisit import RevisitPolicy
from crawler.discovery.window import DateWindow
from crawler.profiles import get_profile
from crawler.topic import topic_path

ROOT = "https://www.numerama.com"
TOPIC = Topic.load(topic_path("cloud-souverain"))
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
PARENT = f"{ROOT}/tech/900-parent.html"


def article(number: int, slug: str = "vu") -> str:
    return f"{ROOT}/tech/{number}-{slug}.html"


def make(min_hint: float = 0.0, window: DateWindow | None = None, **options: object) -> Frontier:
    frontier = Frontier(get_profile("numerama"), TOPIC.score_hint, window or DateWindow(), min_hint, **options)
    frontier.now = NOW
    return frontier


@pytest.fixture
def store(tmp_path):
    state = SqliteState(tmp_path / "state.sqlite")
    yield state
    state.close()


def known(url: str, outcome: str | None, *, run_id: str = "run-1", kind: str = "article", fetched: datetime = NOW,
          **fields: object) -> UrlState:
    return UrlState(url=url, site="numerama", kind=kind, first_seen=(fetched - timedelta(days=1)).isoformat(),
                    run_id=run_id, last_fetched=fetched.isoformat(), status=200, outcome=outcome, **fields)


def test_the_frontier_keeps_its_settings_and_makes_its_own_ledger_and_policy():
    window = DateWindow.from_strings("2015-01-01", "")
    frontier = Frontier(get_profile("numerama"), TOPIC.score_hint, window)
    assert (frontier.min_hint, frontier.state, frontier.run_id, frontier.window) == (0.0, None, "", window)
    assert frontier.revisit == RevisitPolicy() and isinstance(frontier.ledger, Ledger) and frontier.held == {}
    assert abs(frontier.now - datetime.now(UTC)) < timedelta(hours=1) and frontier.now.tzinfo is UTC
    ledger, policy = Ledger(), RevisitPolicy(everything=True)
    given = Frontier(get_profile("numerama"), TOPIC.score_hint, window, 2.5, run_id="run-9", revisit=policy,
                     ledger=ledger)
    assert (given.min_hint, given.run_id) == (2.5, "run-9") and given.ledger is ledger and given.revisit is policy
    assert given.profile.name == "numerama" and given.hint("numergy") == 5.0
    assert Frontier(get_profile("numerama"), TOPIC.score_hint, window).ledger is not frontier.ledger


def test_an_empty_ledger_given_is_the_one_used():
    ledger = Ledger()
    frontier = make(ledger=ledger)
    assert frontier.offer(Entry(article(1, "numergy")), "sitemap") == 50
    assert ledger.get(article(1, "numergy")).state == FETCHED


def test_the_hint_reads_the_slug_without_its_extension_then_the_title_then_the_summary():
    frontier = make()
    assert frontier.own_hint(Entry(f"{ROOT}/tech/1-souverain.cloud")) == 1.0  # ".cloud" is no word of the slug
    assert frontier.own_hint(Entry(f"{ROOT}/tech/1-cloud.souverain.html")) == 7.0  # only the last extension goes
    assert frontier.own_hint(Entry(f"{ROOT}/tech/1-le-cloud?q=numergy")) == 1.0  # the path only
    # The slug, title and summary are joined by spaces: "cloud" + "souverain" make the strong phrase.
    assert frontier.own_hint(Entry(article(1, "le-cloud"), title="souverain")) == 7.0
    assert frontier.own_hint(Entry(article(1, "le"), title="Le cloud", summary="souverain, enfin")) == 7.0
    assert frontier.own_hint(Entry(article(1, "rien"), summary="Numergy")) == 5.0


def test_the_promise_without_context_is_the_hint_in_its_words():
    frontier = make()
    assert frontier.promise(Entry(article(1, "numergy"))) == (5.0, "hint 5")
    assert frontier.promise(Entry(article(1, "rien"))) == (0.0, "hint 0")
    assert frontier.promise(Entry(article(1, "numergy")), Context()) == (5.0, "hint 5")  # a context of nothing


def test_a_topic_listing_raises_a_weak_promise_to_its_own_and_leaves_a_strong_one():
    frontier = make()
    listing = Context(topic_listing="tag page numergy")
    assert TOPIC_LISTING_PROMISE == 5.0
    assert frontier.promise(Entry(article(1, "rien")), listing) == (5.0, "listed on tag page numergy")
    assert frontier.promise(Entry(article(1, "cloud")), listing) == (5.0, "listed on tag page numergy")
    assert frontier.promise(Entry(article(1, "numergy")), listing) == (5.0, "hint 5")  # as strong: its own words
    assert frontier.promise(Entry(article(1, "numergy-cloud")), listing) == (6.0, "hint 6")


def test_links_of_an_article_inherit_a_share_of_its_score_when_their_words_promise_or_they_have_none():
    frontier = make()
    on_topic = Context(parent=PARENT, parent_score=30.0, parent_on_topic=True)
    off_topic = Context(parent=PARENT, parent_score=4.0, parent_on_topic=False)
    worded = Entry(article(1, "numergy"), title="Numergy")
    assert frontier.promise(worded, on_topic) == (20.0, f"hint 5 + 0.5 × score 30 of on-topic {PARENT}")
    assert frontier.promise(worded, off_topic) == (5.4, f"hint 5 + 0.1 × score 4 of off-topic {PARENT}")
    negative = Context(parent=PARENT, parent_score=-3.0, parent_on_topic=True)
    assert frontier.promise(worded, negative) == (5.0, f"hint 5 + 0.5 × score -3 of on-topic {PARENT}")
    # No words at all (an image link; a title of spaces is none): the parent's verdict decides.
    assert frontier.promise(Entry(article(2)), on_topic) == (15.0, f"hint 0 + 0.5 × score 30 of on-topic {PARENT}")
    assert frontier.promise(Entry(article(2), title="  "), on_topic)[0] == 15.0
    assert frontier.promise(Entry(article(2)), off_topic) == (0.0, "hint 0")
    # Words that promise nothing: they are the better evidence, the parent's score is not added.
    assert frontier.promise(Entry(article(2), title="Le match"), on_topic) == (0.0, "hint 0")


def test_a_hint_must_pass_the_minimum_to_inherit_from_its_article():
    frontier = make(min_hint=5.0)
    on_topic = Context(parent=PARENT, parent_score=30.0, parent_on_topic=True)
    assert frontier.promise(Entry(article(1, "numergy"), title="x"), on_topic) == (5.0, "hint 5")
    assert frontier.promise(Entry(article(1, "numergy-cloud"), title="x"), on_topic)[0] == 21.0


def test_the_priority_is_ten_times_the_best_hint_capped_at_a_thousand():
    frontier = make()
    assert frontier.offer(Entry(article(1, "numergy")), "sitemap") == 50
    assert frontier.offer(Entry(article(2, "numergy"), title="x"), "related",
                          Context(parent=PARENT, parent_score=3.3, parent_on_topic=True)) == 66  # 6.65, floored
    huge = Context(parent=PARENT, parent_score=5000.0, parent_on_topic=True)
    assert frontier.offer(Entry(article(3, "numergy"), title="x"), "related", huge) == 1000
    assert frontier.ledger.get(article(3, "numergy")).hint == 2505.0


def test_an_offer_records_the_url_without_fragment_its_source_lastmod_and_promise():
    frontier = make()
    assert frontier.offer(Entry(article(1, "numergy") + "#comments", lastmod="2026-11-02"), "sitemap") == 50
    candidate = frontier.ledger.get(article(1, "numergy"))
    assert (candidate.sources, candidate.hint, candidate.lastmod, candidate.promise, candidate.state) == (
        ["sitemap"], 5.0, "2026-11-02", "hint 5", FETCHED)
    assert frontier.ledger.get(article(1, "numergy") + "#comments") is None
    assert frontier.offer(Entry(f"{ROOT}/tag/numergy/"), "tag") is None and frontier.ledger.get(
        f"{ROOT}/tag/numergy/") is None


def test_an_unpromising_url_is_skipped_with_the_hint_and_the_minimum():
    frontier = make(min_hint=2.5)
    assert frontier.offer(Entry(article(1, "cloud-souverain-x")), "sitemap") == 70
    assert frontier.offer(Entry(article(2, "le-cloud")), "sitemap") is None
    assert frontier.ledger.get(article(2, "le-cloud")).reason == "unpromising: hint 1 <= 2.5"
    equal = make(min_hint=5.0)
    assert equal.offer(Entry(article(3, "numergy")), "sitemap") is None
    assert equal.ledger.get(article(3, "numergy")).reason == "unpromising: hint 5 <= 5"


def test_dates_outside_the_window_skip_before_the_hint_is_weighed():
    frontier = make(window=DateWindow.from_strings("2015-01-01", "2015-12-31"))
    assert frontier.offer(Entry(article(1, "numergy"), published="2016-01-02"), "feed") is None
    assert frontier.ledger.get(article(1, "numergy")).reason == "out of date window: published 2016-01-02"
    assert frontier.offer(Entry(article(2, "rien"), lastmod="2014-01-01"), "sitemap") is None
    assert frontier.ledger.get(article(2, "rien")).reason == "out of date window: modified 2014-01-01"
    # A verdict on the date is final: a topic listing offering it again changes nothing.
    assert frontier.offer(Entry(article(1, "numergy")), "tag", Context(topic_listing="tag page numergy")) is None
    skipped = frontier.ledger.get(article(1, "numergy"))
    assert (skipped.state, skipped.reason.category, skipped.sources) == (
        SKIPPED, Category.OUT_OF_DATE_WINDOW, ["feed", "tag"])
    assert frontier.offer(Entry(article(3, "numergy"), published="2015-06-01", lastmod="2015-06-02"), "sitemap") == 50


def test_an_unpromising_skip_is_reopened_by_a_better_offer_and_a_fetch_is_not_offered_twice():
    frontier = make()
    assert frontier.offer(Entry(article(1, "rien")), "sitemap") is None
    assert frontier.offer(Entry(article(1, "rien"), title="Numergy"), "feed") == 50
    assert frontier.offer(Entry(article(1, "rien"), title="Numergy cloud"), "search") is None
    assert frontier.ledger.get(article(1, "rien")).state == FETCHED


@pytest.mark.parametrize("outcome", ["off-topic", "not an article", "duplicate"])
def test_a_final_verdict_of_an_earlier_run_is_not_questioned(store, outcome):
    url = article(1, "numergy")
    store.put(known(url, outcome, fetched=NOW - timedelta(days=400)))
    frontier = make(state=store, run_id="run-2")
    assert frontier.offer(Entry(url), "sitemap") is None
    assert frontier.ledger.get(url).reason == f"known: {outcome} when fetched on {(NOW - timedelta(days=400)).isoformat()}"


def test_an_earlier_rejection_that_is_not_final_is_judged_again(store):
    url = article(1, "numergy")
    store.put(known(url, "http error"))
    assert make(state=store, run_id="run-2").offer(Entry(url), "sitemap") == 50
    rejected_by_this_run = make(state=store, run_id="run-1")  # its own fetch: the URL is new to it
    store.put(known(url, "off-topic"))
    assert rejected_by_this_run.offer(Entry(url), "sitemap") == 50


def test_a_kept_article_is_fetched_again_when_due_and_skipped_until_then(store):
    old, recent = article(1, "numergy"), article(2, "numergy")
    fetched = NOW - timedelta(days=2)
    store.put(known(old, "kept", fetched=fetched, published=(NOW - timedelta(days=100)).isoformat(),
                    site_lastmod="2026-08-01"))
    store.put(known(recent, "kept", fetched=fetched, published=(NOW - timedelta(days=3)).isoformat()))
    frontier = make(state=store, run_id="run-2")
    assert frontier.offer(Entry(old, lastmod="2026-08-01"), "sitemap") is None  # old: every 30 days
    assert frontier.ledger.get(old).reason == f"not due: fetched on {fetched.isoformat()}"
    assert frontier.offer(Entry(recent), "sitemap") == 50  # recent: every day
    store.put(known(article(3, "numergy"), "kept", fetched=fetched, published=(NOW - timedelta(days=3)).isoformat()))
    huge = Context(parent=PARENT, parent_score=5000.0, parent_on_topic=True)
    assert frontier.offer(Entry(article(3, "numergy"), title="x"), "related", huge) == 1000  # capped as a new one
    # A new sitemap lastmod re-opens the skip: the page changed since.
    assert frontier.offer(Entry(old, lastmod="2026-11-30"), "sitemap") == 50
    assert frontier.ledger.get(old).state == FETCHED
    # A kept article is re-checked whatever the window and the hint say now.
    narrow = make(min_hint=100.0, window=DateWindow.from_strings("2000-01-01", "2000-12-31"), state=store,
                  run_id="run-2", revisit=RevisitPolicy(everything=True))
    assert narrow.offer(Entry(old, published="2026-08-01"), "sitemap") == 50


def test_only_what_earlier_runs_stored_counts_as_a_previous_fetch(store):
    url = article(1, "numergy")
    frontier = make(state=store, run_id="run-2")
    assert frontier.previous_fetch(url) is None
    store.put(known(url, "kept", run_id="run-2"))
    assert frontier.previous_fetch(url) is None
    store.put(known(url, "kept", run_id="run-1"))
    assert frontier.previous_fetch(url).run_id == "run-1"
    assert make().previous_fetch(url) is None  # no store


def test_the_articles_kept_before_are_those_of_other_runs_with_the_kept_outcome(store):
    for number, outcome, run in ((1, "kept", "run-1"), (2, "off-topic", "run-1"), (3, "kept", "run-2"),
                                 (4, "kept", "run-0")):
        store.put(known(article(number), outcome, run_id=run))
    store.put(known(f"{ROOT}/tag/numergy/", "kept", kind="discovery"))
    assert make(state=store, run_id="run-2").kept_before() == [article(1), article(4)]
    assert make().kept_before() == []


def test_a_sitemap_read_to_the_end_is_unchanged_while_its_lastmod_says_so(store):
    sitemap = f"{ROOT}/post-sitemap3.xml"
    frontier = make(state=store, run_id="run-2")
    assert frontier.sitemap_changed(Entry(sitemap, lastmod="2026-11-01"))  # never read
    store.put(known(sitemap, READ, kind="discovery", site_lastmod="2026-11-01"))
    assert not frontier.sitemap_changed(Entry(sitemap, lastmod="2026-11-01"))
    assert frontier.sitemap_changed(Entry(sitemap, lastmod="2026-11-20"))
    assert frontier.sitemap_changed(Entry(sitemap))  # no lastmod in the index: read again
    store.put(known(sitemap, UNREAD, kind="discovery", site_lastmod="2026-11-01"))
    assert frontier.sitemap_changed(Entry(sitemap, lastmod="2026-11-01"))  # not read to the end
    failed = known(sitemap, READ, kind="discovery", site_lastmod="2026-11-01")
    failed.status = 500
    store.put(failed)
    assert frontier.sitemap_changed(Entry(sitemap, lastmod="2026-11-01"))


def test_a_discovery_page_never_read_is_due():
    assert make().discovery_skip(f"{ROOT}/tag/numergy/") is None


def test_an_entry_is_promising_on_its_words_within_the_window():
    frontier = make(min_hint=1.0, window=DateWindow.from_strings("2015-01-01", "2015-12-31"))
    assert frontier.is_promising(Entry(article(1, "numergy"), published="2015-03-01"))
    assert not frontier.is_promising(Entry(article(1, "numergy"), published="2016-03-01"))
    assert not frontier.is_promising(Entry(article(1, "cloud"), published="2015-03-01"))  # 1, not above 1
    assert frontier.is_promising(Entry(article(1, "numergy")))


def test_a_listing_is_followed_while_a_page_promises_or_is_still_after_the_window():
    frontier = make(window=DateWindow.from_strings("2015-01-01", "2015-12-31"))
    dull = Entry(article(1, "rien"), published="2015-05-01")
    assert not frontier.listing_worth_following([])
    assert not frontier.listing_worth_following([dull, Entry(article(2, "numergy"), published="2014-05-01")])
    assert frontier.listing_worth_following([dull, Entry(article(3, "numergy"), published="2015-05-01")])
    assert frontier.listing_worth_following([dull, Entry(article(4, "rien"), published="2016-05-01")])


def test_related_links_are_held_page_after_page_and_released_once_with_their_context():
    frontier = make()
    first, second = Entry(article(1)), Entry(article(2))
    frontier.hold(PARENT, [])
    assert frontier.held == {}
    frontier.hold(PARENT, [first])
    frontier.hold(PARENT, [second])
    assert frontier.release(PARENT, {"score": 12, "on_topic": 1}) == (
        [first, second], Context(parent=PARENT, parent_score=12.0, parent_on_topic=True))
    assert frontier.held == {}
    frontier.hold(PARENT, [first])
    assert frontier.release(PARENT, {}) == ([first], Context(parent=PARENT, parent_score=0.0, parent_on_topic=False))
    assert frontier.release(PARENT, None) == ([], None)
    frontier.hold(PARENT, [second])
    assert frontier.release(PARENT, None) == ([second], None) and frontier.held == {}
