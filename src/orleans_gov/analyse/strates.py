"""Comparison of each commune with the mean of its DGFiP strata (DESIGN.md §3.1): per-inhabitant values of the
DGFiP comptes individuels des communes (``f*`` fields) against the strata means (``m*`` fields, or the
``moyennes_strates`` table), as an index (100 = the strata mean)."""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from orleans_gov.analyse.colonnes import diviser, numerique
from orleans_gov.analyse.finances import identifiants

CHAMPS_STRATE: dict[str, str] = {
    "prod": "rrf",
    "impo1": "impots_directs",
    "dgf": "dgf",
    "charge": "charges_fonctionnement",
    "perso": "personnel",
    "achat": "achats_charges_externes",
    "subv": "subventions_versees",
    "fin": "interets",
    "equip": "equipement",
    "caf": "epargne_brute",
    "cafn": "epargne_nette",
    "dette": "encours_dette",
    "annu": "annuite_dette",
}
"""DGFiP fields compared to the strata mean (€/hab) by default → the vocabulary name of the amount (its label)."""


def comparaison_strate(comptes: pd.DataFrame, champs: Iterable[str] | None = None,
                       moyennes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per-inhabitant value of each commune against the mean of its DGFiP strata, same year (DESIGN.md §3.1).

    For each field X: ``valeur_eur_hab`` = the file's ``fX`` (€/hab on ``pop1``; recomputed as X × 1000 / pop1 when
    ``fX`` is absent); ``moyenne_strate_eur_hab`` = the file's ``mX`` (mean of the communes of the same population
    band × fiscal regime × year), or, when absent, the ``valeur`` of the ``moyennes_strates`` table for the same
    ``an``, ``strate`` (= ``nomsst1``), ``regime`` (= ``nomsst2``), ``code`` = X and ``unite`` €/hab;
    ``indice`` = valeur / moyenne × 100 (100 = the strata mean); ``ecart_eur_hab`` = valeur − moyenne.
    Both missing → NaN (never 0). ``source_moyenne`` says where the mean comes from.

    Returns a long frame: ``entite``, ``an``, ``strate``, ``champ`` (DGFiP field), ``indicateur`` (its vocabulary
    name, :data:`CHAMPS_STRATE`), ``valeur_eur_hab``,
    ``moyenne_strate_eur_hab``, ``indice``, ``ecart_eur_hab``, ``source_moyenne``, ``provenance``.
    """
    champs = list(champs) if champs is not None else list(CHAMPS_STRATE)
    source = str(comptes.attrs.get("fichier", "comptes"))
    ids = identifiants(comptes)
    pop = numerique(comptes, "pop1", source).where(lambda s: s > 0)
    strate = comptes["nomsst1"].astype("string") if "nomsst1" in comptes else pd.Series(pd.NA, index=comptes.index, dtype="string")
    regime = comptes["nomsst2"].astype("string") if "nomsst2" in comptes else pd.Series(pd.NA, index=comptes.index, dtype="string")
    table_m: dict[tuple, float] = {}
    if moyennes is not None and len(moyennes):
        m = moyennes[moyennes["unite"] == "€/hab"]
        table_m = {(int(r.an), str(r.strate), str(r.regime), str(r.code)): float(r.valeur) for r in m.itertuples()}
    parts = []
    for x in champs:
        val = numerique(comptes, f"f{x}", source)
        recalc = numerique(comptes, x, source) * 1000.0 / pop
        val = val.where(val.notna(), recalc)
        moy = numerique(comptes, f"m{x}", source)
        src = pd.Series(np.where(moy.notna(), f"fichier DGFiP (m{x})", None), index=comptes.index, dtype="object")
        if table_m:
            manque = moy.isna()
            for i in moy.index[manque.to_numpy()]:
                cle = (int(ids.at[i, "an"]), str(strate[i]), str(regime[i]), x)
                if cle in table_m:
                    moy.at[i] = table_m[cle]
                    src.at[i] = "table moyennes_strates (DGFiP)"
        part = ids.copy()
        part["strate"] = strate
        part["champ"] = x
        part["indicateur"] = CHAMPS_STRATE.get(x, x)
        part["valeur_eur_hab"] = val
        part["moyenne_strate_eur_hab"] = moy
        part["indice"] = diviser(val, moy) * 100.0
        part["ecart_eur_hab"] = val - moy
        part["source_moyenne"] = pd.Series(src, dtype="string")
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["entite", "an", "champ"], kind="stable").reset_index(drop=True)
