"""Where the SFTP side keeps files on disk.

    <base>/root/              what SFTP clients see as /
        inbound/              always empty: uploads are staged outside the root until complete
        outbound/results/     results files, moved in whole (written elsewhere, then renamed)
        outbound/reports/
    <base>/staging/           uploads in progress, and results being written

With a database file, `<base>` is `<db>.files` beside it; with `:memory:`, a temporary folder removed when
the sandbox stops.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Folders"]


@dataclass(frozen=True)
class Folders:
    base: Path
    temporary: bool

    @classmethod
    def for_database(cls, db: str, *, in_memory: bool) -> Folders:
        if in_memory:
            folders = cls(Path(tempfile.mkdtemp(prefix="billkit-sftp-")), temporary=True)
        else:
            database = Path(db).expanduser()
            folders = cls(database.with_name(database.name + ".files"), temporary=False)
        for folder in (folders.inbound, folders.results, folders.reports, folders.staging):
            folder.mkdir(parents=True, exist_ok=True)
        for left in folders.staging.iterdir():  # uploads a stopped sandbox never finished
            left.unlink(missing_ok=True)
        return folders

    @property
    def root(self) -> Path:
        return self.base / "root"

    @property
    def inbound(self) -> Path:
        return self.root / "inbound"

    @property
    def results(self) -> Path:
        return self.root / "outbound" / "results"

    @property
    def reports(self) -> Path:
        return self.root / "outbound" / "reports"

    @property
    def staging(self) -> Path:
        return self.base / "staging"

    def remove(self) -> None:
        """Delete a temporary base folder (a kept one stays)."""
        if self.temporary:
            shutil.rmtree(self.base, ignore_errors=True)
