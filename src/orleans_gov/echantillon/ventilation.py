"""Spending by M14 function (the sample's split of each entity's totals) and the sample tables of flows and
spending by function, in the tidy layout a collection workbook yields."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.nomenclatures import FONCTIONS_M14
from orleans_gov.base.provenance import EXEMPLE
from orleans_gov.echantillon.ecriture import ecrire_csv_tableau

COLONNES_FONCTIONS = ["entite", "an", "fonction", "libelle_fonction", "section", "montant"]


def repartir(total: float, parts: np.ndarray) -> np.ndarray:
    """Split a total into rounded (0.01) parts that add up exactly to the rounded total."""
    brut = np.round(total * parts, 2)
    brut[int(np.argmax(parts))] += round(round(total, 2) - brut.sum(), 2)
    return np.round(brut, 2)


def ventiler(entite, an, fonct, parts_f, invest, remb, parts_i, rng) -> list[tuple]:
    """Spending by M14 function: operating total split by the entity's profile; investment: debt repayment in
    function 0 (« opérations non ventilables »), the rest by the investment profile."""
    out = []
    pf = parts_f * np.exp(rng.normal(0, 0.02, 10)); pf /= pf.sum()
    for f, m in zip(FONCTIONS_M14, repartir(fonct, pf)):
        out.append((entite, an, f, FONCTIONS_M14[f], "fonctionnement", float(m)))
    pi = parts_i * np.exp(rng.normal(0, 0.15, 10)); pi /= pi.sum()
    ventile = repartir(round(invest, 2) - round(remb, 2), pi)
    ventile[0] = round(ventile[0] + round(remb, 2), 2)
    for f, m in zip(FONCTIONS_M14, ventile):
        out.append((entite, an, f, FONCTIONS_M14[f], "investissement", float(m)))
    return out


def ecrire_flux(cat: Catalogue, flux: pd.DataFrame) -> Path:
    """``raw/sample/flux_agglo_communes.csv``: AC and DSC per commune and year (k€), ``provenance = "exemple"``."""
    flux = flux.assign(provenance=EXEMPLE)
    return ecrire_csv_tableau(flux.sort_values(["an", "code_insee"]), cat.flux_sample)


def ecrire_depenses_fonction(cat: Catalogue, fonctions: list[tuple]) -> Path:
    """``raw/sample/depenses_par_fonction.csv``: spending by M14 function × section per entity and year (k€)."""
    fdf = pd.DataFrame(fonctions, columns=COLONNES_FONCTIONS)
    fdf["provenance"] = EXEMPLE
    return ecrire_csv_tableau(fdf.sort_values(["entite", "an", "section", "fonction"]), cat.depenses_fonction_sample)
