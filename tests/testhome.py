"""The test home's download cache borrows the user's: wheels the user already fetched are
linked into ``.vecs-test-home/cache`` instead of being downloaded a second time.

Only the download cache is shared, read only: the tests' store (``VECS_HOME``) and resources
folder stay their own. A link is used like a cached file — its sha256 is checked against the
pin before anything is extracted from it, and one that fails is removed (the link, never the
user's file), so the wheel is downloaded as before. On a clean machine (CI) there is nothing to
borrow and everything is downloaded."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache() -> Path:
    """The cache the user's own ``vecs`` uses (``VECS_CACHE``, ``VECS_HOME/cache`` or the platform
    default), named from the environment as it is now (read it before the tests change it)."""
    from vecs.paths import cache_dir

    return cache_dir(create=False)


def share_downloads(user: Path, ours: Path) -> list[str]:
    """Link into ``ours`` every archive in ``user`` that a resource is fetched from and ``ours``
    lacks; first remove links of ``ours`` whose file is gone. Returns the names linked. Nothing
    is done when ``user`` is missing or is ``ours``, or sharing is off (``VECS_TEST_SHARE_CACHE=0``)."""
    from vecs.hub.cache import serves

    if os.environ.get("VECS_TEST_SHARE_CACHE", "1").strip().lower() in ("0", "false", "no"):
        return []
    try:
        if not user.is_dir() or user.resolve() == ours.resolve():
            return []
        ours.mkdir(parents=True, exist_ok=True)
        for p in ours.iterdir():
            if p.is_symlink() and not p.exists():  # the user freed it: download it again if needed
                p.unlink(missing_ok=True)
        linked = []
        for p in sorted(user.iterdir()):
            target = ours / p.name
            if p.name.startswith(".") or not p.is_file() or not serves(p.name) or os.path.lexists(target):
                continue
            try:
                target.symlink_to(p.resolve())
            except OSError:  # no symlinks here (or a race with another run): download as before
                continue
            linked.append(p.name)
        return linked
    except OSError:
        return []
