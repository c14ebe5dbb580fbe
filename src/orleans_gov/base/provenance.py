"""Provenance of every row: real published data or the synthetic sample, and the one rule that merges them.

Every processed table carries a ``provenance`` column (``"réel"`` or ``"exemple"``, docs/TABLES.md). Real data
always win over sample data for the same entity and year (DESIGN.md §2); sample data shown anywhere carry the
banner :data:`TEXTE_EXEMPLE`. This module holds those constants and :func:`reel_prioritaire`, the only
implementation of the precedence rule (finance accounts, flows, spending by function, collection tables).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from orleans_gov.base.erreurs import ErreurDonnees

if TYPE_CHECKING:   # pandas is imported by the functions that use it: the constants load no pandas
    import pandas as pd

REEL = "réel"
EXEMPLE = "exemple"
PROVENANCES = (REEL, EXEMPLE)
TEXTE_EXEMPLE = "Données d'exemple — ne pas diffuser"
"""The banner shown on every table, chart, page and workbook that holds sample data."""
TEXTE_EXEMPLE_HTML = "Données d&#x27;exemple — ne pas diffuser"
"""The same text as HTML-escaped by the notebook exporters (used to detect sample pages)."""


def reel_prioritaire(df: pd.DataFrame, cles: Sequence[str], *, bloc: Sequence[str] | None = None,
                     colonne_fichier: str = "fichier", source: str | None = None) -> pd.DataFrame:
    """Keep the real rows and drop the sample rows they replace.

    - ``cles``: the key of a row (e.g. ``code_insee, an``). Two *real* rows with the same key are refused
      (:class:`ErreurDonnees` naming the file and the key): two real sources must be reconciled before the merge;
    - ``bloc``: the unit a real source replaces as a whole (default: ``cles``). With ``bloc = (entite, an)`` and
      ``cles = (entite, an, fonction, section)``, one real entity-year replaces every sample row of that entity-year,
      never a mix of both;
    - sample rows with the same key are de-duplicated (first kept: files are read in sorted order).

    The result keeps the input's column order, sorted by ``cles`` (stable), index reset.
    """
    cles = list(cles)
    bloc = list(bloc) if bloc is not None else cles
    if "provenance" not in df.columns:
        raise ErreurDonnees("colonne « provenance » absente : impossible d'appliquer la priorité au réel",
                            fichier=source, colonne="provenance")
    inconnues = sorted(set(df["provenance"].dropna().astype(str)) - set(PROVENANCES))
    if inconnues or df["provenance"].isna().any():
        raise ErreurDonnees(f"provenance inconnue (attendu : {', '.join(PROVENANCES)})", fichier=source,
                            colonne="provenance", valeur=(inconnues or [None])[0])
    est_reel = df["provenance"].astype(str) == REEL
    reel = df[est_reel]
    doublons = reel.duplicated(cles, keep=False)
    if doublons.any():
        d = reel[doublons].iloc[0]
        fichiers = sorted(set(reel.loc[doublons & (reel[cles] == d[cles]).all(axis=1), colonne_fichier].astype(str))) \
            if colonne_fichier in reel.columns else []
        raise ErreurDonnees("deux lignes réelles donnent la même clé " + ", ".join(cles)
                            + (f" (fichiers : {', '.join(fichiers)})" if fichiers else ""),
                            fichier=d.get(colonne_fichier, source), colonne=cles[0],
                            valeur=tuple(_py(d[c]) for c in cles))
    exemple = hors_blocs(df[~est_reel], reel, bloc).drop_duplicates(cles, keep="first")
    import pandas as pd  # heavy third-party import kept lazy (module-level constants load no pandas)

    out = pd.concat([p for p in (reel, exemple) if len(p)] or [df.iloc[0:0]], ignore_index=True)
    return out.sort_values(cles, kind="mergesort").reset_index(drop=True)[list(df.columns)]


def hors_blocs(df: pd.DataFrame, remplacants: pd.DataFrame, bloc: Sequence[str]) -> pd.DataFrame:
    """The rows of ``df`` whose ``bloc`` (e.g. ``entite, an``) does not occur in ``remplacants``.

    The one mechanism of « these rows replace those of the same block »: real rows replacing sample rows
    (:func:`reel_prioritaire`), a newly imported workbook replacing the earlier import of the same entity and year.
    """
    bloc = list(bloc)
    if not len(df) or not len(remplacants):
        return df
    import pandas as pd  # heavy third-party import kept lazy (see reel_prioritaire)

    remplaces = pd.MultiIndex.from_frame(remplacants[bloc].drop_duplicates())
    return df[~pd.MultiIndex.from_frame(df[bloc]).isin(remplaces)]


def contient_exemple(*frames: pd.DataFrame) -> bool:
    """True when any given table holds sample rows (the banner must then be shown)."""
    return any("provenance" in f.columns and (f["provenance"].astype(str) == EXEMPLE).any() for f in frames)


def _py(v):
    return v.item() if hasattr(v, "item") else v
