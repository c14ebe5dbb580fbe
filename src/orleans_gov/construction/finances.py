"""Tables ``finances_communes`` and ``finances_agglo``: the DGFiP accounts of the 22 communes and the agglomeration.

The accounts of the data folder, real rows winning over the sample (:mod:`orleans_gov.sources.comptes`), laid out
with the perimeter's identifiers first and ``provenance``, ``fichier`` last; every DGFiP column in between, as the
files give it (amounts ``X`` in k€, ``fX`` €/hab on ``pop1``, ``mX`` strata mean €/hab, ``rX``/``rmX`` %: DGFiP
definitions of the « comptes individuels », docs/FORMATS.md §1–2).
"""
from __future__ import annotations

import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.provenance import PROVENANCES
from orleans_gov.base.territoire import CODES_INSEE, SIREN_AGGLO
from orleans_gov.construction.contrat import ENTIER, REEL, TEXTE, Bloc, Colonne, Contrat
from orleans_gov.sources.comptes import comptes_communes, comptes_gfp
from orleans_gov.sources.dgfip import (COLONNES_CONNUES_COMMUNES, COLONNES_TEXTE_COMMUNES, COLONNES_TEXTE_GFP,
                                       ENTETE_GFP)

_SUITE = (Colonne("provenance", TEXTE, non_nulle=True, valeurs=PROVENANCES), Colonne("fichier", TEXTE, non_nulle=True))

CONTRAT_COMMUNES = Contrat(
    "finances_communes",
    debut=(Colonne("code_insee", TEXTE, valeurs=CODES_INSEE), Colonne("an", ENTIER), Colonne("inom", TEXTE),
           Colonne("dep", TEXTE), Colonne("icom", TEXTE), Colonne("reg", TEXTE), Colonne("pop1", REEL), Colonne("nomsst1", TEXTE),
           Colonne("nomsst2", TEXTE)),
    bloc=Bloc("colonnes DGFiP des comptes individuels des communes", (REEL,),
              noms=frozenset(COLONNES_CONNUES_COMMUNES) - set(COLONNES_TEXTE_COMMUNES), famille_inconnues=TEXTE),
    fin=_SUITE, cle=("code_insee", "an"))

CONTRAT_AGGLO = Contrat(
    "finances_agglo",
    debut=(Colonne("siren", TEXTE, valeurs=(SIREN_AGGLO,)), Colonne("an", ENTIER), Colonne("lbudg", TEXTE)),
    bloc=Bloc("colonnes DGFiP des comptes individuels des groupements à fiscalité propre", (REEL,),
              noms=frozenset(ENTETE_GFP) - set(COLONNES_TEXTE_GFP), famille_inconnues=TEXTE),
    fin=_SUITE, cle=("siren", "an"))

CONTRATS = {c.table: c for c in (CONTRAT_COMMUNES, CONTRAT_AGGLO)}


def _disposer(df: pd.DataFrame, contrat: Contrat) -> pd.DataFrame:
    """The contract's first columns, the file columns in their order, then ``provenance`` and ``fichier``;
    identifiers and labels as text; sorted by the key."""
    premieres = [c.nom for c in contrat.debut]
    fin = [c.nom for c in contrat.fin]
    autres = [c for c in df.columns if c not in premieres + fin]
    df = df[[c for c in premieres if c in df.columns] + autres + fin]
    for c in [c.nom for c in contrat.colonnes if c.famille == TEXTE]:
        if c in df:
            df[c] = df[c].astype("string")
    return df.sort_values(list(contrat.cle)).reset_index(drop=True)


def construire_finances_communes(cat: Catalogue) -> pd.DataFrame:
    """Communes' DGFiP accounts: real files in raw/reel/dgfip/communes and the real Orléans sheets win over
    the sample. Keeps only the 22 communes of the perimeter (others are reported, not silently dropped)."""
    return _disposer(comptes_communes(cat), CONTRAT_COMMUNES)


def construire_finances_agglo(cat: Catalogue) -> pd.DataFrame:
    """The agglomeration's GFP accounts (budget principal + budgets annexes), real files winning over the sample."""
    return _disposer(comptes_gfp(cat), CONTRAT_AGGLO)


def construire(cat: Catalogue) -> dict[str, pd.DataFrame]:
    """Both finance tables."""
    return {"finances_communes": construire_finances_communes(cat), "finances_agglo": construire_finances_agglo(cat)}
