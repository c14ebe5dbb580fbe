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

PART_BASE = "dotation_intercommunalite.repartition.part_dotation_base"
PART_PEREQ = "dotation_intercommunalite.repartition.part_dotation_perequation"
RAPPORT_PF = "dotation_intercommunalite.rapport_potentiel_fiscal"
PLANCHER = "dotation_intercommunalite.garanties.plancher_annee_precedente"
PLAFOND = "dotation_intercommunalite.garanties.plafond_annee_precedente"
SEUIL_CIF = "dotation_intercommunalite.garanties.seuil_cif_garantie_100_ca"
CRFP_COMMUNES = "crfp.taux_indicatif_bloc"
CRFP_EPCI = "crfp.taux_indicatif_epci"
CRFP_DECALAGE = "crfp.decalage_rrf_annees"
FCTVA_TAUX = "fctva.taux"
FCTVA_DECALAGE_COMMUNES = "fctva.decalage_annees.droit_commun"
FCTVA_DECALAGE_CA = "fctva.decalage_annees.communautes_agglomeration"

BORNES: dict[str, dict[str, float | bool]] = {
    VALEUR_POINT: {"minimum": 0},
    CIF_MOYEN: {"minimum": 0.01, "maximum": 1},
    DECALAGE: {"minimum": 0, "maximum": 3, "entier": True},
    PART_DSC: {"minimum": 0, "maximum": 1},
    PART_BASE: {"minimum": 0, "maximum": 1},
    PART_PEREQ: {"minimum": 0, "maximum": 1},
    RAPPORT_PF: {"minimum": 0, "maximum": 10},
    PLANCHER: {"minimum": 0, "maximum": 1},
    PLAFOND: {"minimum": 1, "maximum": 3},
    SEUIL_CIF: {"minimum": 0, "maximum": 1},
    CRFP_COMMUNES: {"minimum": 0, "maximum": 0.1},
    CRFP_EPCI: {"minimum": 0, "maximum": 0.1},
    FCTVA_TAUX: {"minimum": 0, "maximum": 1},
    FCTVA_DECALAGE_COMMUNES: {"minimum": 0, "maximum": 2, "entier": True},
    FCTVA_DECALAGE_CA: {"minimum": 0, "maximum": 2, "entier": True},
}
"""The legal parameters the engine reads, with the bounds a scenario override (and the YAML values) must respect."""

PARAMETRES_MOTEUR = tuple(BORNES)


def valeurs_annuelles(regles: Parametres, annees: Sequence[int]) -> dict[str, np.ndarray]:
    """Value of each engine parameter in force on 1 January of each year, arrays aligned on ``annees``."""
    return {nom: np.array([regles(nom, a) for a in annees], dtype="float64") for nom in PARAMETRES_MOTEUR}


def cif(fiscalite_epci, fiscalite_communes, ac_versees, dsc_versee, part_dsc=0.5, teom=0.0):
    """Coefficient d'intégration fiscale (art. L.5211-30 CGCT).

    CIF = (recettes fiscales de l'EPCI − dépenses de transfert) / (recettes fiscales de l'EPCI + des communes
    membres). Version implemented: art. L.5211-30 IV as written by the loi de finances pour 2005 (in force
    2005–2018): the dépenses de transfert of a communauté d'agglomération are the attributions de compensation
    « et la moitié de la dotation de solidarité communautaire » (``part_dsc`` = 0.5, legal parameter
    ``dotation_intercommunalite.part_dsc_cif``, by year). Tax receipts: impôts locaux (DGFiP ``iltot`` for the
    EPCI, ``impo1`` for the communes) plus ``teom``, the EPCI's taxe (or redevance) d'enlèvement des ordures
    ménagères, which art. L.5211-30 counts among the EPCI's receipts (numerator and denominator); the DGFiP
    accounts used do not isolate it: the engine reads a ``teom`` column of ``finances_agglo`` when present and
    says otherwise that it is left out (:data:`orleans_gov.scenarios.resultats.SANS_TEOM`). Vectorised
    (``part_dsc`` may be an array by year).
    """
    return (fiscalite_epci + teom - ac_versees - part_dsc * dsc_versee) / (fiscalite_epci + teom
                                                                           + fiscalite_communes)


def dotation_intercommunalite(population, valeur_point_eur_hab, cif_epci, cif_moyen_categorie, part_base=0.3,
                              part_perequation=0.7, rapport_pf=1.0):
    """Spontaneous dotation d'intercommunalité (k€), before garanties and before the CRFP (art. L.5211-30 I CGCT):
    dotation de base (``part_base`` of the category's envelope, population × CIF) + dotation de péréquation
    (``part_perequation``, population × CIF × potentiel fiscal moyen de la catégorie / potentiel fiscal de
    l'EPCI = ``rapport_pf``), at a constant point: per inhabitant = valeur de point × CIF / CIF moyen de la
    catégorie × (part_base + part_perequation × rapport_pf); × population ÷ 1000.

    With ``rapport_pf`` = 1 (the model's assumption: the category's PF moyen was not found) this is the former
    simplified rule (valeur de point × CIF / CIF moyen). The point value, the category's CIF moyen, the 30/70
    split and the PF ratio are dated legal parameters (``dotations.yaml``, ``dgf.yaml``). Vectorised.
    """
    return (population * valeur_point_eur_hab * cif_epci / cif_moyen_categorie
            * (part_base + part_perequation * rapport_pf) / 1000.0)


def garanties_intercommunalite(spontanee_hab: np.ndarray, plancher: np.ndarray, plafond: np.ndarray,
                               cif_epci: np.ndarray, seuil_cif: np.ndarray) -> np.ndarray:
    """Dotation d'intercommunalité per inhabitant after the garanties and the plafond of art. L.5211-33 CGCT, on
    the previous year's dotation **before** the CRFP (last paragraph of L.5211-33 I: « calculée avant application
    des minorations prévues à l'article L.5211-28 »): each year t ≥ 1, dotation(t) = min(max(spontanée(t),
    plancher(t) × dotation(t−1)), plafond(t) × dotation(t−1)) (95 %; 120 % from 2012, 130 % 2017–2018, 110 %
    from 2019), and at least dotation(t−1) when the CIF exceeds ``seuil_cif`` (0,5; 0,35 from 2019, L.5211-33 II
    1°). Column 0 (reference year) = the spontaneous dotation. ``spontanee_hab``, ``cif_epci``: (D, T);
    the parameters: (T,). Not modelled: the garanties 2° and 3° (évolution de la dotation de base et de
    péréquation, within 40 % of the dotation) and the change-of-category guarantees."""
    out = np.array(spontanee_hab, dtype="float64")
    for t in range(1, out.shape[1]):
        prec = out[:, t - 1]
        v = np.minimum(np.maximum(out[:, t], plancher[t] * prec), plafond[t] * prec)
        out[:, t] = np.where(cif_epci[:, t] > seuil_cif[t], np.maximum(v, prec), v)
    return out


def contribution_redressement(rrf: np.ndarray, rrf_reference: np.ndarray, rrf_passe: np.ndarray,
                              taux: np.ndarray, decalage: int = 2, part: np.ndarray | float = 1.0) -> np.ndarray:
    """Contribution au redressement des finances publiques (k€), cumulated: each year t the tranche of the year =
    taux(t) × RRF of t − ``decalage`` (« les recettes réelles de fonctionnement … constatées dans les derniers
    comptes de gestion disponibles », art. L.2334-7 III for the communes' dotation forfaitaire, L.5211-28 for the
    EPCI's dotation d'intercommunalité, from 2014), and the tranches add up (« à compter de »): CRFP(t) =
    Σ_{1 ≤ u ≤ t} taux(u) × RRF(u − decalage). ``rrf``: projected RRF before CRFP (D, E, T), from which the CRFP
    of the year of the RRF is deducted; ``rrf_reference`` / ``rrf_passe``: RRF of the reference year and of the
    year before (E,); ``taux``: (E, T) (national average rate of each level: the DGCL spreads the tranche in
    proportion to the RRF); ``part``: share of the RRF in the base (the budget principal of the agglomeration).
    Column 0 (reference year) = 0: its DGF already includes the earlier tranches."""
    D, E, T = rrf.shape
    out = np.zeros((D, E, T))
    cumul = np.zeros((D, E))
    for t in range(1, T):
        j = t - decalage
        if j >= 1:
            assiette = rrf[:, :, j] - out[:, :, j]
        elif j == 0:
            assiette = np.broadcast_to(rrf_reference, (D, E))
        else:
            assiette = np.broadcast_to(rrf_passe, (D, E))
        cumul = cumul + taux[None, :, t] * assiette * part
        out[:, :, t] = cumul
    return out


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


def ecretement_dotation_forfaitaire(population, pf_hab, pf_moyen_hab, valeur_point, df_precedente,
                                    seuil=0.75, plafond_part_df=0.03):
    """Écrêtement of the communes' dotation forfaitaire from 2015 (art. L.2334-7 III CGCT, LFI 2015): a commune
    whose potentiel fiscal per inhabitant is at least ``seuil`` (0,75) × the national average is écrêtée by
    valeur de point × population × (PF/hab − seuil × PF moyen) / (seuil × PF moyen), within ``plafond_part_df``
    (3 % in 2015–2016) of its previous dotation forfaitaire (1 % of the RRF from 2017: pass that cap as
    ``plafond_part_df`` × ``df_precedente`` equivalent). k€ in, k€ out; vectorised. Not wired into the
    projection: the potentiel fiscal and the national point value are not in the data (stated in the results,
    order of magnitude ≈ 0,8 M€ a year for Orléans)."""
    seuil_pf = seuil * pf_moyen_hab
    ecart = np.maximum(0.0, (pf_hab - seuil_pf) / seuil_pf)
    return np.minimum(valeur_point * population * ecart / 1000.0, plafond_part_df * df_precedente)
