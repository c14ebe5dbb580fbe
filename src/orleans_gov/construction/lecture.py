"""Load one processed table (``charger``) on the short path a notebook waits for.

Reading a table imports only pandas and pyarrow (plus geopandas for ``perimetre``, a GeoDataFrame): not the
construction modules, the sample generator nor the workbook readers (openpyxl). The Parquet file is read with
``pyarrow.parquet.read_table(...).to_pandas()``, the same frame as ``pandas.read_parquet`` (same columns, dtypes
and index: ``tests/test_chargement_rapide.py``) without the dispatch of ``pandas.io``. When the table is missing the
data are built first with :func:`orleans_gov.construction.tables.construire`, imported then (bench/RESULTS_latence.md).
"""
from __future__ import annotations

import importlib

import pandas as pd
import pyarrow.parquet as pq

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.fichiers import exiger_fichier

__all__ = ["NOMS_TABLES", "charger", "connues"]

NOMS_TABLES: tuple[str, ...] = (
    "finances_communes", "finances_agglo", "populations", "territoire", "perimetre", "police_municipale",
    "moyennes_strates", "competences", "ofgl_agglo", "effectifs", "effectifs_totaux", "fonctions_support",
    "competences_exercees", "depenses_fonction", "flux_agglo_communes", "budgets_annexes", "chiffres_publies")
"""The processed tables in build order: the keys of ``construction.tables.CONTRATS`` (a test checks they are equal),
kept here so that checking a name does not import the construction modules."""


def connues(noms, cat: Catalogue) -> tuple[str, ...]:
    """``noms`` as a tuple, or :class:`ErreurDonnees` naming the first unknown table and the known ones."""
    noms = tuple(noms)
    for nom in noms:
        if nom not in NOMS_TABLES:
            raise ErreurDonnees(f"table « {nom} » inconnue (tables : {', '.join(NOMS_TABLES)})", fichier=cat.table(nom))
    return noms


def charger(nom: str, dossier=None) -> pd.DataFrame:
    """Load a processed table by name (GeoDataFrame for ``perimetre``); builds the data if it is missing.

    An unknown name raises :class:`ErreurDonnees` at once (nothing is built); so does a damaged Parquet file (named,
    with the command that rebuilds it).
    """
    cat = Catalogue.depuis(dossier)
    connues([nom], cat)
    p = cat.table(nom)
    if not p.exists():
        # the builder imports every construction module (and openpyxl): paid only when data must be built
        importlib.import_module("orleans_gov.construction.tables").construire(dossier)
    exiger_fichier(p)
    try:
        if nom == "perimetre":
            import geopandas as gpd  # heavy third-party import, deferred: only the map table needs it
            return gpd.read_parquet(p)
        return pq.read_table(p).to_pandas()
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError…: a damaged file, named with the way out
        raise ErreurDonnees(f"table « {nom} » illisible ({type(exc).__name__}: {str(exc)[:200]}) : fichier "
                            "endommagé ; reconstruire les données avec `orleans-gov donnees` (make data)",
                            fichier=p) from None
