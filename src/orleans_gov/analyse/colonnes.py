"""Column helpers shared by the analysis modules: strict numeric reading, division without infinities, strict sums.

Missing stays missing (DESIGN.md §5): a division by 0 or by a missing value gives NaN (never ±inf), a sum with a
missing term is missing (never a partial sum), a non-numeric cell is an error naming the file, line and column.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees


def numerique(df: pd.DataFrame, col: str | None, source: str) -> pd.Series:
    """Column as float64 (NaN when the mapped field is absent from the frame); non-numeric content is an error."""
    if col is None or col not in df.columns:
        return pd.Series(np.nan, index=df.index, dtype="float64")
    s = df[col]
    if pd.api.types.is_numeric_dtype(s):
        return s.astype("float64")
    conv = pd.to_numeric(s, errors="coerce")
    mauvais = conv.isna() & s.notna()
    if mauvais.any():
        pos = int(np.flatnonzero(mauvais.to_numpy())[0])
        raise ErreurDonnees("valeur non numérique (ligne de données n° 1 = ligne 2 du fichier)", fichier=source,
                            ligne=pos + 2, colonne=col, valeur=s.iloc[pos])
    return conv.astype("float64")


def diviser(num, den) -> pd.Series:
    """num / den with NaN (never ±inf) when the denominator is 0 or missing, or the numerator missing."""
    num = pd.to_numeric(num, errors="raise").astype("float64")
    den = pd.to_numeric(den, errors="raise").astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / den
    return out.where(den.ne(0) & den.notna() & num.notna())


def somme_stricte(s: pd.Series) -> float:
    """Sum that stays NaN when one term is missing (missing is not zero)."""
    return float(s.sum()) if len(s) and s.notna().all() else np.nan
