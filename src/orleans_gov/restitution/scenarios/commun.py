"""What the scenario tables, charts and sentences share: entity names (the bloc included), the source line, the
reading of the engine's long results."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from orleans_gov.base import vocabulaire
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


def facteur_pourcent(res, ind: str = "taux_epargne_brute") -> float:
    """Factor that puts the engine's ``taux_epargne_brute`` in its vocabulary unit (%, a percent value).

    Until issue 10 the engine returned a fraction (épargne brute / RRF), from issue 10 a percent (× 100): the
    convention is read from the engine's own numbers (first entity-year with RRF > 0), so the tables show the same
    percentage with either engine. 100 for a fraction, 1 for a percent.
    """
    if vocabulaire.unite(ind) != "%":
        return 1.0
    L = res.long.pivot_table(index=["entite", "annee"], columns="indicateur", values="valeur", aggfunc="first")
    d = L[[ind, "epargne_brute", "recettes_reelles_fonctionnement"]].dropna()
    d = d[d["recettes_reelles_fonctionnement"] > 0]
    if d.empty:
        return 1.0
    r = d.iloc[0]
    fraction = r["epargne_brute"] / r["recettes_reelles_fonctionnement"]
    return 100.0 if math.isclose(r[ind], fraction, rel_tol=1e-9, abs_tol=1e-12) else 1.0
