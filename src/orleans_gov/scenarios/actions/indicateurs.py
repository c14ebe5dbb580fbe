"""Indicators the governance actions add to the results (``sieges``, ``fpic``): how an action sets them and how
:func:`orleans_gov.scenarios.resultats.projeter` turns them into rows of the long table.

An indicator is an array (23, T) (T = R … fin) in :attr:`Effets.indicateurs`, NaN where the entity or the year is
not concerned (missing is missing, never zero): ``sieges`` for the communes only (the agglomeration has no seat),
``fpic`` for the communes and the agglomeration (the ensemble intercommunal's total is written on the bloc row).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from orleans_gov.base.territoire import ENTITES
from orleans_gov.scenarios.actions.commun import Effets
from orleans_gov.scenarios.etat import E

INDICATEURS_ACTIONS: dict[str, bool] = {"sieges": False, "fpic": True}
"""The indicators an action may add, and whether the bloc row carries their sum over the entities."""

BLOC = "bloc"


def poser(eff: Effets, nom: str, valeurs: np.ndarray, colonnes: np.ndarray) -> None:
    """Set indicator ``nom`` (one of :data:`INDICATEURS_ACTIONS`) for the years where ``colonnes`` is true:
    ``valeurs`` (23,) or (23, T); the entities' NaN stay NaN (not concerned)."""
    if nom not in INDICATEURS_ACTIONS:
        raise KeyError(nom)
    T = len(colonnes)
    a = eff.indicateurs.setdefault(nom, np.full((E, T), np.nan))
    v = np.asarray(valeurs, dtype="float64")
    v = np.repeat(v[:, None], T, axis=1) if v.ndim == 1 else v
    a[:, colonnes] = v[:, colonnes]


def lignes_indicateurs(eff: Effets, annees: list[int]) -> pd.DataFrame:
    """Rows (``entite``, ``annee``, ``indicateur``, ``valeur``) of the indicators set by the actions; only the
    entity-years concerned (non-NaN), plus the bloc sum where :data:`INDICATEURS_ACTIONS` says so."""
    morceaux = []
    ent = np.array(list(ENTITES))
    for nom, v in eff.indicateurs.items():
        d = pd.DataFrame({"entite": np.repeat(ent, len(annees)), "annee": np.tile(annees, E), "indicateur": nom,
                          "valeur": v.reshape(-1)})
        morceaux.append(d[d["valeur"].notna()])
        if INDICATEURS_ACTIONS[nom]:
            concerne = ~np.isnan(v).all(axis=0)
            s = np.where(concerne, np.nansum(v, axis=0), np.nan)
            b = pd.DataFrame({"entite": BLOC, "annee": annees, "indicateur": nom, "valeur": s})
            morceaux.append(b[b["valeur"].notna()])
    if not morceaux:
        return pd.DataFrame(columns=["entite", "annee", "indicateur", "valeur"])
    return pd.concat(morceaux, ignore_index=True)
