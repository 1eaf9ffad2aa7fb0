"""Shared fixtures. Every test runs with its own config and data directories, so nothing reads or
writes the real user's settings or database."""

from __future__ import annotations

import pytest

from db import Label, NewArticle, Store


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("READER_CONFIG", str(home / "config" / "config.toml"))
    monkeypatch.delenv("READER_DB", raising=False)
    monkeypatch.setenv("HOME", str(home))
    return home


LABELS = [
    Label("fact", "segment", "f", "#2e7d32", "sentence", "A checkable statement."),
    Label("opinion", "segment", "o", "#c62828", "sentence", "A judgement or view."),
    Label("boilerplate", "segment", "x", "#616161", "paragraph", "Page cruft."),
    Label("entity", "entity", "c", "#1565c0", "word", "A named person, place or body."),
]


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "test.db")
    s.set_labels(LABELS)
    yield s
    s.close()


@pytest.fixture
def article_id(store):
    text = (
        "Council backs £4.2m budget\n"
        "By Ann Lee\n\n"
        "The council voted 31–12 on Tuesday. Mr. Boris Johnson said it was “a disgrace”.\n\n"
        "Subscribe to our newsletter"
    )
    return store.add_articles([NewArticle("Council backs £4.2m budget", text)]).ids[0]
