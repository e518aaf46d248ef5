"""Copying Moment's report files from SFTP `/outbound/reports/` into a local folder, once each.

    result = fetch_reports(SftpSettings.resolve(), "reports/", since="2025-03-01")
    ledger.import_reports(result.folder)

Which files: those named as reports (`ReportFileName`) whose **period end** is on or after `since`, the day the
report is about (a reconciliation report for 28 February generated on 1 March is not "since 1 March"). Other
files in the folder are left alone. A file already in the local folder with the size the server lists is not
downloaded again (reports are written once, whole); one of another size is downloaded again and replaces it.
Each download goes to a temporary name beside its target and is renamed when complete (`BillFileSftp.fetch`),
so an interrupted fetch leaves no partial report behind.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from billkit.billfiles.settings import SftpSettings
from billkit.billfiles.sftp import REPORTS, BillFileSftp
from billkit.reportfiles.names import ReportFileName
from billkit.reportfiles.values import as_day

__all__ = ["FetchResult", "fetch_reports"]


@dataclass(frozen=True)
class FetchResult:
    folder: Path
    #: Report files copied now (new, or changed in size), by name.
    downloaded: tuple[str, ...]
    #: Report files since the day that the folder already held, unchanged: not downloaded again.
    present: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Every report file since the day, now in the folder, sorted."""
        return tuple(sorted(self.downloaded + self.present))

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(self.folder / name for name in self.names)

    @property
    def nothing_new(self) -> bool:
        return not self.downloaded


def fetch_reports(
    settings: SftpSettings,
    dest: str | os.PathLike[str],
    *,
    since: date | str,
    progress: bool = False,
) -> FetchResult:
    """Copy the report files whose period ends on or after `since` from the server into `dest` (created)."""
    first_day = as_day(since)
    folder = Path(dest)
    folder.mkdir(parents=True, exist_ok=True)
    downloaded: list[str] = []
    present: list[str] = []
    with BillFileSftp(settings, progress=progress) as sftp:
        listing = sftp.list(REPORTS)
        for name, size in zip(listing["name"], listing["size"], strict=True):
            parsed = ReportFileName.maybe(str(name))
            if parsed is None or parsed.period_end < first_day:
                continue
            local = folder / parsed.file_name
            # A server that lists no size: a file already here counts as fetched.
            if local.is_file() and (pd.isna(size) or local.stat().st_size == int(size)):
                present.append(parsed.file_name)
                continue
            sftp.fetch(f"{REPORTS}/{parsed.file_name}", folder)
            downloaded.append(parsed.file_name)
    return FetchResult(folder, tuple(downloaded), tuple(present))
