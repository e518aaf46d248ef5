"""Report file names, as Moment documents them (contract §10, Moment's §10.4):

    20241231_Moment_Recon_ae5811c4-0fb3-47de-8a9e-f8b298b9525b_20241230.csv        reconciliation
    20241231_Moment_Settlement_ae5811c4-0fb3-47de-8a9e-f8b298b9525b_20241230.csv   settlement

The first date is the day the file was generated, the last the end of the period it reports. The identifier
is a uuid in the sandbox; billkit treats it as an opaque token of letters, digits and hyphens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from billkit.reportfiles.errors import ReportFileError

__all__ = ["ReportFileName", "ReportKind", "kind_of_title"]

_NAME = re.compile(
    r"(?P<generated>[0-9]{8})_Moment_(?P<kind>Recon|Settlement)_"
    r"(?P<file_id>[A-Za-z0-9](?:[A-Za-z0-9-]{0,98}[A-Za-z0-9])?)_(?P<period_end>[0-9]{8})\.csv"
)


class ReportKind(Enum):
    """The two reports; the value is the word in the file name."""

    RECONCILIATION = "Recon"
    SETTLEMENT = "Settlement"

    @property
    def title(self) -> str:
        """The `Report Title` header value of this kind of report."""
        return _TITLES[self]


_TITLES = {
    ReportKind.RECONCILIATION: "Moment Merchant Reconciliation Report",
    ReportKind.SETTLEMENT: "Moment Merchant Settlement Report",
}


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def kind_of_title(title: str) -> ReportKind | None:
    """The kind a `Report Title` names (spacing and case aside), or None for another title."""
    for kind, known in _TITLES.items():
        if _normalised(title) == _normalised(known):
            return kind
    return None


def _day(text: str) -> date:
    return datetime.strptime(text, "%Y%m%d").date()


@dataclass(frozen=True, slots=True)
class ReportFileName:
    generated: date
    kind: ReportKind
    file_id: str
    period_end: date

    @classmethod
    def parse(cls, name: str) -> ReportFileName:
        """The parts of a report file's name; `ReportFileError` naming what is wrong otherwise."""
        match = _NAME.fullmatch(name)
        if match is None:
            raise ReportFileError(
                name,
                "not a report file name: expected <YYYYMMDD>_Moment_Recon_<id>_<YYYYMMDD>.csv or "
                "<YYYYMMDD>_Moment_Settlement_<id>_<YYYYMMDD>.csv",
            )
        try:
            generated, period_end = _day(match["generated"]), _day(match["period_end"])
        except ValueError as exc:
            raise ReportFileError(
                name, f"a date in the name is not a calendar day ({exc})"
            ) from None
        return cls(generated, ReportKind(match["kind"]), match["file_id"], period_end)

    @classmethod
    def maybe(cls, name: str) -> ReportFileName | None:
        """The parts of `name` if it is a report file name, else None."""
        try:
            return cls.parse(name)
        except ReportFileError:
            return None

    @property
    def file_name(self) -> str:
        return (
            f"{self.generated:%Y%m%d}_Moment_{self.kind.value}_{self.file_id}_"
            f"{self.period_end:%Y%m%d}.csv"
        )

    def __str__(self) -> str:
        return self.file_name
