"""Build ``data/processed/`` from ``data/raw/`` (``orleans-gov donnees`` / ``make data``) and load the tables.

Rules (docs/TABLES.md): real rows win over sample rows for the same entity and year
(:func:`orleans_gov.base.provenance.reel_prioritaire`); missing stays missing; outputs are byte-identical on rebuild
(sorted rows, fixed column order, deterministic Parquet: :func:`orleans_gov.base.fichiers.ecrire_parquet`).

One module per processed table or small family of tables, each declaring the contract of its tables
(:mod:`.contrat`) and a ``construire(catalogue)``: :mod:`.finances` (``finances_communes``, ``finances_agglo``),
:mod:`.territoire` (``populations``, ``territoire``, ``perimetre``), :mod:`.referentiels` (``police_municipale``,
``moyennes_strates``, ``competences``, ``ofgl_agglo``), :mod:`.collecte` (``effectifs``, ``effectifs_totaux``,
``fonctions_support``, ``competences_exercees``, ``depenses_fonction``, ``flux_agglo_communes``). Every table is
checked against its contract before anything is written.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.fichiers import ecrire_parquet, exiger_fichier, verifier_inscriptible
from orleans_gov.base.provenance import contient_exemple
from orleans_gov.construction import collecte, finances, referentiels, territoire
from orleans_gov.construction.contrat import Contrat, verifier
from orleans_gov.echantillon.comptes import generer as generer_echantillon

__all__ = ["CONTRATS", "TABLES", "charger", "construire", "contient_exemple", "ecrire_table"]

FAMILLES = (finances, territoire, referentiels, collecte)
"""The construction modules, in build order; each has ``CONTRATS`` and ``construire(catalogue)``."""
CONTRATS: dict[str, Contrat] = {nom: c for m in FAMILLES for nom, c in m.CONTRATS.items()}
TABLES: tuple[str, ...] = tuple(CONTRATS)


def _connues(noms: Iterable[str], cat: Catalogue) -> tuple[str, ...]:
    noms = tuple(noms)
    for nom in noms:
        if nom not in CONTRATS:
            raise ErreurDonnees(f"table « {nom} » inconnue (tables : {', '.join(TABLES)})", fichier=cat.table(nom))
    return noms


def ecrire_table(nom: str, df: pd.DataFrame, dossier=None) -> Path:
    """Check ``df`` against the contract of table ``nom`` then write ``processed/<nom>.parquet`` (deterministic,
    atomic). Raises :class:`~orleans_gov.construction.contrat.ErreurTable` on a breach (nothing is written)."""
    cat = Catalogue.depuis(dossier)
    _connues([nom], cat)
    return ecrire_parquet(verifier(df, CONTRATS[nom]), cat.table(nom))


def construire(dossier=None, verbeux: bool = False, *, tables: Iterable[str] | None = None) -> dict[str, Path]:
    """Rebuild the processed tables and return the written paths by name.

    A full build (``tables=None``) generates the sample first when it is absent. ``tables``: only these tables (and
    only the families that hold them are computed), from ``data/raw`` as it stands. Every table is built and checked
    against its contract before the first one is written.
    """
    cat = Catalogue.depuis(dossier)
    demandees = TABLES if tables is None else _connues(tables, cat)
    verifier_inscriptible(cat.processed)   # a read-only processed folder is reported before any computation
    if tables is None and not cat.dgfip_communes_sample.exists():
        generer_echantillon(cat.racine)
    construites: dict[str, pd.DataFrame] = {}
    for famille in FAMILLES:
        if set(famille.CONTRATS) & set(demandees):
            construites.update({nom: df for nom, df in famille.construire(cat).items() if nom in demandees})
    for nom, df in construites.items():
        verifier(df, CONTRATS[nom])
    ecrits = {}
    for nom, df in construites.items():
        ecrits[nom] = ecrire_parquet(df, cat.table(nom))
        if verbeux:
            print(f"  {nom:<22} {len(df):>6} lignes  → {ecrits[nom]}")
    return ecrits


def charger(nom: str, dossier=None) -> pd.DataFrame:
    """Load a processed table by name (GeoDataFrame for ``perimetre``); builds the data if it is missing.

    An unknown name raises :class:`ErreurDonnees` at once (nothing is built); so does a damaged Parquet file (named,
    with the command that rebuilds it).
    """
    cat = Catalogue.depuis(dossier)
    _connues([nom], cat)
    p = cat.table(nom)
    if not p.exists():
        construire(dossier)
    exiger_fichier(p)
    try:
        if nom == "perimetre":
            import geopandas as gpd  # heavy third-party import, deferred: keeps `import orleans_gov` fast
            return gpd.read_parquet(p)
        return pd.read_parquet(p)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError…: a damaged file, named with the way out
        raise ErreurDonnees(f"table « {nom} » illisible ({type(exc).__name__}: {str(exc)[:200]}) : fichier "
                            "endommagé ; reconstruire les données avec `orleans-gov donnees` (make data)",
                            fichier=p) from None
