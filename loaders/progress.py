"""A terminal progress bar over the bytes of the files being loaded, advanced stage by stage."""

from __future__ import annotations

import sys
from pathlib import Path

from tqdm import tqdm

from loaders.canonical import LoadResult


class FileProgress:
    """Progress over all files by size; each file advances as it is staged, checked, merged, summarised."""

    def __init__(self, files: list[Path], enabled: bool = True) -> None:
        self.sizes = {str(f): (f.stat().st_size if f.exists() else 0) for f in files}
        self.bar = tqdm(total=sum(self.sizes.values()) or 1, unit="B", unit_scale=True, unit_divisor=1024,
                        disable=not enabled or not sys.stderr.isatty(), leave=False, desc="loading")
        self._credited: dict[str, float] = {}

    def stage(self, path: Path, name: str, fraction: float) -> None:
        key = str(path)
        self.bar.set_postfix_str(f"{Path(key).name}: {name}")
        target = self.sizes.get(key, 0) * fraction
        self.bar.update(max(0.0, target - self._credited.get(key, 0.0)))
        self._credited[key] = max(target, self._credited.get(key, 0.0))

    def done(self, path: Path, result: LoadResult) -> None:
        self.stage(path, result.status, 1.0)

    def __enter__(self) -> FileProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()
