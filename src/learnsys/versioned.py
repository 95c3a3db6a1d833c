"""Versioned build folders with an atomic ``CURRENT`` pointer.

A build is written into a temporary folder, renamed into place when complete, and only then made
current by replacing the ``CURRENT`` file (``os.replace`` is atomic). Readers always see either the
old build or the new one, never a half-written folder. A failed build leaves ``CURRENT`` untouched.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class VersionedDir:
    def __init__(self, root: Path, keep: int = 3):
        self.root, self.keep = root, keep

    def current(self) -> Path | None:
        """The folder of the current build, or None before the first build."""
        pointer = self.root / "CURRENT"
        try:
            name = pointer.read_text().strip()
        except FileNotFoundError:
            return None
        path = self.root / name
        return path if path.is_dir() else None

    def current_id(self) -> str | None:
        path = self.current()
        return path.name if path else None

    @contextmanager
    def new_build(self) -> Iterator[Path]:
        """Yield an empty folder to write a build into; commit it atomically if the block succeeds."""
        self.root.mkdir(parents=True, exist_ok=True)
        build_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        tmp = self.root / f".tmp-{build_id}"
        tmp.mkdir()
        try:
            yield tmp
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        final = self.root / build_id
        tmp.rename(final)
        pointer_tmp = self.root / f".CURRENT-{build_id}"
        pointer_tmp.write_text(build_id + "\n")
        os.replace(pointer_tmp, self.root / "CURRENT")
        self._prune(final)

    def _prune(self, current: Path) -> None:
        builds = sorted((p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                        key=lambda p: p.name)
        for old in builds[: max(0, len(builds) - self.keep)]:
            if old != current:
                shutil.rmtree(old, ignore_errors=True)
