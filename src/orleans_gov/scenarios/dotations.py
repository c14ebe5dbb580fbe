"""Coefficient d'intégration fiscale (CIF) and the simplified dotation d'intercommunalité of the agglomeration.

The parameters of the rule are dated legal parameters (``orleans_gov/base/parametres/dotations.yaml``), read for
each projected year (:func:`valeurs_annuelles`); a scenario may override them explicitly (top-level key
``parametres`` of the scenario file, :meth:`Scenario.parametres_legaux`).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from orleans_gov.base.parametres import Parametres

VALEUR_POINT = "dotation_intercommunalite.valeur_point_eur_hab"
CIF_MOYEN = "dotation_intercommunalite.cif_moyen_categorie"
DECALAGE = "dotation_intercommunalite.decalage_annees"
PART_DSC = "dotation_intercommunalite.part_dsc_cif"

FCTVA_TAUX = "fctva.taux"
FCTVA_DECALAGE_COMMUNES = "fctva.decalage_annees.droit_commun"
FCTVA_DECALAGE_CA = "fctva.decalage_annees.communautes_agglomeration"

BORNES: dict[str, dict[str, float | bool]] = {
    VALEUR_POINT: {"minimum": 0},
    CIF_MOYEN: {"minimum": 0.01, "maximum": 1},
    DECALAGE: {"minimum": 0, "maximum": 3, "entier": True},
    PART_DSC: {"minimum": 0, "maximum": 1},
    FCTVA_TAUX: {"minimum": 0, "maximum": 1},
    FCTVA_DECALAGE_COMMUNES: {"minimum": 0, "maximum": 2, "entier": True},
    FCTVA_DECALAGE_CA: {"minimum": 0, "maximum": 2, "entier": True},
}
"""The legal parameters the engine reads, with the bounds a scenario override (and the YAML values) must respect."""

PARAMETRES_MOTEUR = tuple(BORNES)


def valeurs_annuelles(regles: Parametres, annees: Sequence[int]) -> dict[str, np.ndarray]:
    """Value of each engine parameter in force on 1 January of each year, arrays aligned on ``annees``."""
    return {nom: np.array([regles(nom, a) for a in annees], dtype="float64") for nom in PARAMETRES_MOTEUR}


def cif(fiscalite_epci, fiscalite_communes, ac_versees, dsc_versee, part_dsc=0.5):
    """Coefficient d'intégration fiscale (art. L.5211-30 CGCT).

    CIF = (recettes fiscales de l'EPCI − dépenses de transfert) / (recettes fiscales de l'EPCI + des communes
    membres). Version implemented: art. L.5211-30 IV as written by the loi de finances pour 2005 (in force
    2005–2018): the dépenses de transfert of a communauté d'agglomération are the attributions de compensation
    « et la moitié de la dotation de solidarité communautaire » (``part_dsc`` = 0.5, legal parameter
    ``dotation_intercommunalite.part_dsc_cif``, by year). Tax receipts: impôts locaux (DGFiP ``iltot`` for the
    EPCI, ``impo1`` for the communes) — a simplification of the list of taxes of the article (TEOM, redevances…
    are not separated in the accounts used). Vectorised (``part_dsc`` may be an array by year).
    """
    return (fiscalite_epci - ac_versees - part_dsc * dsc_versee) / (fiscalite_epci + fiscalite_communes)


def dotation_intercommunalite(population, valeur_point_eur_hab, cif_epci, cif_moyen_categorie):
    """Simplified dotation d'intercommunalité (k€) = population × valeur de point (€/hab) × CIF / CIF moyen de la
    catégorie ÷ 1000.

    Simplified rule of the model (art. L.5211-30 CGCT): the per-inhabitant dotation of a communauté
    d'agglomération rises in proportion to its CIF relative to the category's average CIF (the potentiel fiscal
    term, the guarantees and the caps are left out). The value of the point and the category average are dated
    legal parameters (``dotations.yaml``). Vectorised.
    """
    return population * valeur_point_eur_hab * cif_epci / cif_moyen_categorie / 1000.0


def fctva_recu(part_eligible, taux_annee_depense, equipement_annee_depense):
    """FCTVA received (k€) = part éligible × taux forfaitaire in force on the date of the spending × équipement of
    the year of the spending (art. L.1615-6 CGCT: I for the rate, by date of the spending — 15,482 % from 2003,
    15,761 % from 2014, 16,404 % from 2015; II for the year of receipt: « la pénultième année » (droit commun,
    decalage 2), « l'exercice précédent » (plan de relance 2009–2010), « l'exercice en cours » for the communautés
    d'agglomération). Vectorised."""
    return part_eligible * taux_annee_depense * equipement_annee_depense


def cif_decale(c: np.ndarray, decalage: np.ndarray) -> np.ndarray:
    """CIF on which the dotation of each year rests: column t takes the CIF of year t − décalage(t) (the
    reference year's CIF, column 0, before the start). ``c``: (D, T); ``decalage``: (T,) whole years."""
    t = np.arange(c.shape[1])
    source = np.maximum(t - decalage.astype("int64"), 0)
    return c[:, source]
