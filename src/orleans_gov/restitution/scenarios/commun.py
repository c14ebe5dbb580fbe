"""What the scenario tables, charts and sentences share: entity names (the bloc included), the source line, the
reading of the engine's long results."""
from __future__ import annotations


import numpy as np
import pandas as pd

from orleans_gov.base.territoire import nom_entite
from orleans_gov.scenarios import BLOC

SOURCE = ("DGFiP (comptes individuels), flux AC/DSC, dépenses par fonction, classeurs de collecte ; "
          "projection orleans_gov")


def nom(entite: str) -> str:
    """French name of an entity of the projection (« Bloc communal » for the bloc)."""
    return "Bloc communal" if entite == BLOC else nom_entite(entite)


def millesime(sc) -> str:
    """Data vintage of a scenario for the source lines (« comptes 2013, projection 2014–2020 »)."""
    return f"comptes {sc.annee_reference}, projection {sc.debut}–{sc.fin}"


def serie(res, entite: str | list[str], ind: str) -> pd.Series:
    """One indicator of one entity (or the sum of several) by year."""
    L = res.long
    if isinstance(entite, list):
        return L[L.entite.isin(entite) & (L.indicateur == ind)].groupby("annee")["valeur"].sum()
    return L[(L.entite == entite) & (L.indicateur == ind)].set_index("annee")["valeur"]


def valeur(res, ent: str, ind: str, annee: int | None = None) -> float:
    """One indicator of one entity in one year (default: the end of the horizon); NaN when absent."""
    L = res.long
    a = annee or res.scenario.fin
    s = L[(L.entite == ent) & (L.indicateur == ind) & (L.annee == a)]["valeur"]
    return float(s.iloc[0]) if len(s) else np.nan


def cumul(res, ent: str, ind: str) -> float:
    """Sum of one indicator of one entity over the horizon."""
    sc = res.scenario
    L = res.long
    return float(L[(L.entite == ent) & (L.indicateur == ind) & L.annee.between(sc.debut, sc.fin)]["valeur"].sum())

