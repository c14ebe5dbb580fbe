"""The annual population series of the 22 communes, assembled from the real INSEE figures.

Used by the sample (``pop1`` of each synthetic account) and by the build (tables ``populations`` and
``territoire``): one implementation, below both.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.territoire import CODES_INSEE
from orleans_gov.sources.referentiel import read_police_municipale, read_populations

ANNEES_POPULATION = range(2005, 2024)
SOURCE_POLICE = "INSEE population municipale, via l'enquête police municipale (Ministère de l'Intérieur)"
SOURCE_INTERPOLATION = "interpolation linéaire entre millésimes INSEE (calcul orleans_gov)"


def _populations_reelles(cat: Catalogue) -> pd.DataFrame:
    """Real figures: the INSEE census vintages, completed by the INSEE population the police municipale survey
    carries (six largest communes, 2013–2023) for the commune-years the vintages do not cover."""
    reel = read_populations(cat.populations)[["code_insee", "an", "population", "source"]]
    police = read_police_municipale(cat.police_serie).dropna(subset=["population"])
    police = pd.DataFrame({"code_insee": police["code_insee"], "an": police["an"],
                           "population": police["population"].astype("int64"), "source": SOURCE_POLICE})
    police = police.merge(reel[["code_insee", "an"]], how="left", indicator=True)
    police = police[police["_merge"] == "left_only"].drop(columns="_merge")
    return pd.concat([reel, police], ignore_index=True)


def populations_annuelles(cat: Catalogue, annees: Iterable[int] = ANNEES_POPULATION) -> pd.DataFrame:
    """Population municipale of each commune for every year: real INSEE vintages, then interpolation/extrapolation.

    Real (``statut = "recensement"``): census vintages of ``population-municipale_22-communes_2016-2023.csv`` and,
    for the six largest communes, the INSEE population carried by the police municipale survey (2013–2023).
    Between real years: linear interpolation (``"interpolée"``); outside them (``"extrapolée"``): the commune's
    average annual growth over its real series, ``taux = (P_dernier / P_premier)^(1 / (a_dernier − a_premier)) − 1``,
    applied from the nearest real year.

    Returns ``code_insee``, ``an``, ``population`` (int), ``statut``, ``source`` (text).
    """
    reel = _populations_reelles(cat)
    lignes = []
    for code in CODES_INSEE:
        r = reel[reel["code_insee"] == code].set_index("an").sort_index()
        ans = np.array(r.index, dtype=float)
        pops = r["population"].to_numpy(dtype=float)
        taux = (pops[-1] / pops[0]) ** (1 / (ans[-1] - ans[0])) - 1 if len(ans) > 1 else 0.0
        for a in annees:
            if a in r.index:
                lignes.append((code, a, int(r.at[a, "population"]), "recensement", str(r.at[a, "source"])))
            elif ans[0] < a < ans[-1]:
                p = float(np.interp(a, ans, pops))
                lignes.append((code, a, int(round(p)), "interpolée", SOURCE_INTERPOLATION))
            else:
                base_a, base_p = (ans[0], pops[0]) if a < ans[0] else (ans[-1], pops[-1])
                p = base_p * (1 + taux) ** (a - base_a)
                lignes.append((code, a, int(round(p)), "extrapolée",
                               f"extrapolation au taux annuel moyen observé ({taux * 100:+.2f} %/an, calcul orleans_gov)"))
    out = pd.DataFrame(lignes, columns=["code_insee", "an", "population", "statut", "source"])
    for c in ("code_insee", "statut", "source"):
        out[c] = out[c].astype("string")
    return out
