"""The processed tables the scenario engine reads (docs/TABLES.md), loaded through :mod:`orleans_gov.construction`."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.erreurs import ErreurScenario
from orleans_gov.construction import charger
from orleans_gov.sources.referentiel import read_competences

OBLIGATOIRES = ("finances_communes", "finances_agglo", "flux_agglo_communes", "depenses_fonction")
FACULTATIVES = ("effectifs", "fonctions_support", "budgets_annexes")


@dataclass
class DonneesReference:
    """The processed tables the engine needs: accounts of the communes and of the agglomeration, the flows
    between them (AC, DSC), spending by M14 function and, when the collection workbooks are imported, staff and
    support functions."""

    finances_communes: pd.DataFrame
    finances_agglo: pd.DataFrame
    flux: pd.DataFrame
    depenses_fonction: pd.DataFrame
    effectifs: pd.DataFrame | None = None
    sources: dict[str, str] = field(default_factory=dict)   # table -> file (for error messages)
    fonctions_support: pd.DataFrame | None = None
    budgets_annexes: pd.DataFrame | None = None      # entite, an, budget (transports, eau…), k€ columns
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def fonctions(self) -> dict[tuple[str, str, str], pd.Series]:
        """``depenses_fonction`` as (entité, fonction, section) -> amount by year (sum; computed once)."""
        df = self.depenses_fonction
        cle = ("fonctions", id(df))      # a table replaced by another (dataclasses.replace shares _cache) is read again
        if cle not in self._cache:
            g = df.assign(entite=df["entite"].astype(str), fonction=df["fonction"].astype(str),
                          section=df["section"].astype(str)).groupby(["entite", "fonction", "section", "an"])[
                "montant"].sum(min_count=1)
            # one Series per (entité, fonction, section), split by positions (the groups of g, in g's order)
            cles = pd.MultiIndex.from_arrays([g.index.get_level_values(i) for i in range(3)])
            code, uniques = pd.factorize(cles, sort=False)
            ordre = np.argsort(code, kind="stable")
            bornes = np.flatnonzero(np.diff(code[ordre])) + 1
            ans = g.index.get_level_values(3)
            out = {}
            for morceau in np.split(ordre, bornes) if len(ordre) else []:
                out[tuple(cles[morceau[0]])] = pd.Series(g.to_numpy()[morceau], index=ans[morceau], name=g.name)
            self._cache[cle] = (df, out)         # the frame is kept so that its id is not reused
        return self._cache[cle][1]


def charger_donnees(dossier: str | Path | None = None) -> DonneesReference:
    """Load the processed tables of a data folder (argument > ``$ORLEANS_GOV_DATA`` > repo ``data/``) with
    :func:`orleans_gov.construction.tables.charger` (which builds them when they are missing); ``effectifs`` and
    ``fonctions_support`` (collection workbooks) are optional.

    >>> from orleans_gov.scenarios import charger_donnees
    >>> donnees = charger_donnees()
    >>> sorted(donnees.sources)[:2]
    ['budgets_annexes', 'depenses_fonction']
    """
    cat = Catalogue.depuis(dossier)
    tables = {nom: charger(nom, dossier) for nom in OBLIGATOIRES}
    facultatives = {nom: (charger(nom, dossier) if cat.table(nom).exists() else None) for nom in FACULTATIVES}
    return DonneesReference(tables["finances_communes"], tables["finances_agglo"], tables["flux_agglo_communes"],
                            tables["depenses_fonction"], facultatives["effectifs"],
                            sources={n: str(cat.table(n)) for n in OBLIGATOIRES + FACULTATIVES},
                            fonctions_support=facultatives["fonctions_support"],
                            budgets_annexes=facultatives["budgets_annexes"])


def domaines_competences(dossier: str | Path | None = None) -> dict[str, str]:
    """Policy areas of the sourced competence table: ``domaine`` -> ``fonction_m14`` (as text "0"…"9").

    Reads the processed table ``competences`` when it exists, else the real raw CSV
    (``data/raw/reel/competences/competences_agglo-orleans.csv``, strict reader of :mod:`orleans_gov.sources`).
    """
    cat = Catalogue.depuis(dossier)
    if cat.table("competences").exists():
        df, source = charger("competences", dossier), cat.table("competences")
    else:
        df, source = read_competences(cat.competences), cat.competences
    for col in ("domaine", "fonction_m14"):
        if col not in df.columns:
            raise ErreurScenario(f"colonne « {col} » absente de la table des compétences", fichier=source)
    return {str(d): str(f).split(".")[0] for d, f in zip(df["domaine"], df["fonction_m14"])}
