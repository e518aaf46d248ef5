"""The dtypes every billkit DataFrame uses: analysis frames, the ledger's readers and received webhook events.

Money is `Int64` minor units (nullable integers: exact, and missing stays missing); IDs and free text are
`string`; small fixed vocabularies (currency, status, event type) are `category`; calendar dates (bill and due
dates, which have no time zone) are naive `datetime64[ns]` at midnight; instants are `datetime64[ns, UTC]`.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

STRING: Final = pd.StringDtype()
CATEGORY: Final = pd.CategoricalDtype()
MINOR: Final = pd.Int64Dtype()
FLOAT: Final = np.dtype("float64")
BOOLEAN: Final = np.dtype("bool")
DATE: Final = np.dtype("datetime64[ns]")
TIMESTAMP: Final = pd.DatetimeTZDtype("ns", "UTC")
