"""The change-frequency schedule of discovery pages (crawler/discovery/revisit.py): waits double while a page stays
unchanged and halve when it changes, within the profile's bounds; 404s wait weeks; --recheck makes all due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from archive.reasons import Category
from archive.store.state import HISTORY_BITS, READ, UNREAD, SqliteState, UrlState
from crawler.discovery.revisit import RevisitPolicy, entries_digest, history_words, unchanged_streak
from crawler.profiles import get_profile

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
POLICY = RevisitPolicy(discovery_min=timedelta(hours=12), discovery_max=timedelta(days=14), gone=timedelta(days=28))


def page(status: int = 200) -> UrlState:
    return UrlState(url="https://www.numerama.com/tag/cloud/", site="numerama", kind="discovery",
                    first_seen=NOW.isoformat(), status=status, outcome=READ, last_fetched=NOW.isoformat())


def check(state: UrlState, changed: bool, at: datetime = NOW) -> timedelta:
    POLICY.checked(state, changed, at)
    assert state.wait_seconds is not None
    return timedelta(seconds=state.wait_seconds)


def test_the_first_check_waits_the_minimum_then_unchanged_checks_double_it_up_to_the_maximum():
    state = page()
    assert check(state, changed=True) == timedelta(hours=12)
    waits = [check(state, changed=False) for _ in range(7)]
    assert waits == [timedelta(hours=h) for h in (24, 48, 96, 192)] + [timedelta(days=14)] * 3
    assert state.checks == 8 and unchanged_streak(state) == 7 and history_words(state) == "unchanged 7 times"


def test_a_change_halves_the_wait_down_to_the_minimum():
    state = page()
    check(state, changed=True)
    for _ in range(5):
        check(state, changed=False)  # 24 h ... 192 h, then the 14 days cap
    assert check(state, changed=True) == timedelta(days=7)
    assert check(state, changed=True) == timedelta(hours=84)
    for _ in range(5):
        check(state, changed=True)
    assert timedelta(seconds=state.wait_seconds or 0) == timedelta(hours=12)
    assert unchanged_streak(state) == 0 and history_words(state) == "changed at the last check"


def test_the_history_keeps_the_last_checks_only():
    state = page()
    check(state, changed=True)
    for _ in range(HISTORY_BITS + 3):
        check(state, changed=False)
    assert state.history == 0 and state.checks == HISTORY_BITS + 4 and unchanged_streak(state) == HISTORY_BITS


def test_a_page_is_not_due_before_its_next_check_and_says_why():
    state = page()
    check(state, changed=True)
    for _ in range(5):
        check(state, changed=False)
    reason = POLICY.discovery_skip(state, NOW + timedelta(days=1))
    assert reason is not None and reason.category == Category.NOT_DUE
    assert reason == "not due: unchanged 5 times, next check 2026-12-15"
    assert POLICY.discovery_skip(state, NOW + timedelta(days=14)) is None
    # A tenth of the wait early is due: a daily run finds a page checked a little after yesterday's run started.
    assert POLICY.discovery_skip(state, NOW + timedelta(days=14) - timedelta(hours=30)) is None
    assert POLICY.discovery_skip(state, NOW + timedelta(days=14) - timedelta(hours=40)) is not None


@pytest.mark.parametrize("state", [None, page()])
def test_a_page_never_checked_is_due(state):
    assert POLICY.discovery_skip(state, NOW) is None


def test_an_unfinished_read_and_recheck_make_a_page_due():
    state = page()
    check(state, changed=True)
    assert POLICY.discovery_skip(state, NOW) is not None
    assert RevisitPolicy(everything=True).discovery_skip(state, NOW) is None
    state.outcome = UNREAD
    assert POLICY.discovery_skip(state, NOW) is None


def test_a_page_that_answered_404_waits_weeks_and_starts_again_at_the_minimum_once_back():
    state = page()
    check(state, changed=True)
    check(state, changed=False)
    for _ in range(2):
        state.status = 404
        POLICY.checked(state, changed=False, now=NOW)
        assert state.next_check == "2026-12-29T12:00:00+00:00" and state.wait_seconds is None
    reason = POLICY.discovery_skip(state, NOW + timedelta(days=7))
    assert reason == "not due: answered 404 on 2026-12-01, next check 2026-12-29"
    state.status = 200  # the tag exists again
    assert check(state, changed=True) == timedelta(hours=12)


def test_the_profiles_revisit_table_sets_the_bounds():
    policy = RevisitPolicy.from_dict({"discovery_min_hours": 2, "discovery_max_days": 3, "gone_days": 40})
    assert (policy.discovery_min, policy.discovery_max, policy.gone) == \
        (timedelta(hours=2), timedelta(days=3), timedelta(days=40))
    assert RevisitPolicy.from_dict(get_profile("clubic").revisit).discovery_min == timedelta(hours=12)


def test_the_entries_digest_depends_on_the_entries_and_their_order_only():
    assert entries_digest(["a", "b"]) == entries_digest(iter(["a", "b"]))
    assert entries_digest(["a", "b"]) != entries_digest(["b", "a"]) != entries_digest(["ab"])
    assert entries_digest(["a\ud800"]).startswith("sha256:")  # a lone surrogate from a hostile page


def test_the_change_history_survives_the_store_and_an_old_store_gets_its_columns(tmp_path):
    import sqlite3

    from archive.store.state import ADDED_COLUMNS, SCHEMA

    old = SCHEMA.replace(", ".join(f"{n} {d}" for n, d in ADDED_COLUMNS.items()), "").replace("'[]',\n", "'[]'\n")
    with sqlite3.connect(tmp_path / "state.sqlite") as db:
        db.executescript(old)
    store = SqliteState(tmp_path / "state.sqlite")
    state = page()
    check(state, changed=True)
    check(state, changed=False)
    state.entries_digest = entries_digest(["x"])
    store.put(state)
    store.close()
    again = SqliteState(tmp_path / "state.sqlite").get(state.url)
    assert again == state


def test_the_frontier_knows_a_page_with_nothing_new_and_a_page_not_due(tmp_path):
    from crawler.discovery.frontier import Frontier
    from crawler.discovery.parsers import Entry
    from crawler.discovery.window import DateWindow

    store = SqliteState(tmp_path / "state.sqlite")
    frontier = Frontier(get_profile("numerama"), lambda text: 0.0, DateWindow(), state=store, run_id="run-2")
    old = "https://www.numerama.com/business/1-ancien.html"
    fresh = "https://www.numerama.com/business/2-nouveau.html"
    store.put(UrlState(url=old, site="numerama", kind="article", first_seen="2026-11-30T10:00:00+00:00",
                       run_id="run-1"))
    store.put(UrlState(url=fresh, site="numerama", kind="article", first_seen="2026-11-30T10:00:00+00:00",
                       run_id="run-2"))
    assert frontier.known_before([Entry(old), Entry(old + "#comments")])
    assert not frontier.known_before([Entry(old), Entry(fresh)])  # fetched by this run (or the run it resumes)
    assert not frontier.known_before([Entry(old), Entry("https://www.numerama.com/tech/3-jamais-vu.html")])
    tag = page()
    POLICY.checked(tag, True, frontier.now)
    store.put(tag)
    assert frontier.discovery_skip(tag.url) == "not due: read once, next check " + \
        (frontier.now + timedelta(hours=12)).date().isoformat()
    frontier.now += timedelta(hours=12)  # the frontier's policy: the default bounds, 12 h after the first read
    assert frontier.discovery_skip(tag.url) is None
