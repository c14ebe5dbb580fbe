"""What the action functions share: the arrays of effects they fill, their context, and the data they read."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import nom_entite
from orleans_gov.scenarios.donnees import DonneesReference
from orleans_gov.scenarios.etat import Base
from orleans_gov.scenarios.schema import Scenario


@dataclass
class Effets:
    """Effects of the actions on the projection, arrays of shape (23, T) with T = years R … fin (index 0 = R).

    ``dc[famille]`` are reference-year amounts that evolve with the communes' growth index of the family,
    ``da[famille]`` with the agglomeration's; ``abs_*``, ``ac``, ``dsc`` are amounts in k€ of the year (not
    indexed); ``m_fisc`` multiplies the tax receipts (rate changes); ``details``: one table per action.
    """

    ac: np.ndarray
    dsc: np.ndarray
    m_fisc: np.ndarray
    dc: dict[str, np.ndarray]
    da: dict[str, np.ndarray]
    abs_recettes: np.ndarray
    abs_charges: np.ndarray
    equipement: np.ndarray           # deterministic equipment programme (k€) incl. transfers
    etp: np.ndarray
    prelevement: np.ndarray
    details: dict[str, pd.DataFrame] = field(default_factory=dict)
    # hook for the governance actions (actions/gouvernance*.py): extra indicators (E, T), NaN where the entity or
    # the year is not concerned (``sieges``, ``fpic``), and per-year overrides (T,) of engine legal parameters
    # (dotation d'intercommunalité of a new category)
    indicateurs: dict[str, np.ndarray] = field(default_factory=dict)
    parametres: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Contexte:
    """What an action function reads: the scenario, the data, the reference state, the years (R first) and the
    growth indexes of the central assumptions (``indice[niveau][famille]``, 1 at R)."""

    scenario: Scenario
    donnees: DonneesReference
    base: Base
    toutes: list[int]
    indice: dict[str, dict[str, np.ndarray]]
    indice_investissement: dict[str, np.ndarray]

    @property
    def annees(self) -> np.ndarray:
        return np.array(self.toutes)

    def facteur(self, annee: int, prorata: float) -> np.ndarray:
        """Share of each year concerned by an action from ``annee`` (its prorata the first year, then 1)."""
        a = self.annees
        return np.where(a == annee, prorata, np.where(a > annee, 1.0, 0.0))


def indice(taux: Mapping[int, float], annees: list[int]) -> np.ndarray:
    """Growth index over [R, years…] (1 at R)."""
    return np.cumprod([1.0] + [1.0 + taux[a] for a in annees])


def depenses_fonction(donnees: DonneesReference, entite: str, fonction: str, section: str, annees: list[int]
                      ) -> pd.Series:
    """Spending of an entity on an M14 function by year (table ``depenses_fonction``); a missing year is refused
    (the evaluation cannot rest on an unknown amount)."""
    cle = ("depenses_fonction", id(donnees.depenses_fonction), entite, fonction, section, tuple(annees))
    if cle in donnees._cache:          # the same series is read for every scenario: reindexed once (copy returned)
        return donnees._cache[cle].copy()
    serie = donnees.fonctions().get((entite, fonction, section))
    s = (serie if serie is not None else pd.Series(dtype="float64")).reindex(annees)
    if s.isna().any():
        manque = [int(a) for a in s.index[s.isna()]]
        raise ErreurDonnees(f"dépenses de la fonction {fonction} ({section}) manquantes pour {entite} "
                            f"({nom_entite(entite)}) en {manque} : évaluation impossible",
                            fichier=donnees.sources.get("depenses_fonction", "depenses_fonction"),
                            colonne="montant")
    donnees._cache[cle] = s
    return s.copy()
